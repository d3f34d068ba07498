import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import dotenv from "dotenv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { loadConfig } from "../src/config.js";
import { openState } from "../src/state/state.js";
import { CORPUS, SEED, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  env = { INDEX_PATH: path.join(dir, "index.sqlite"), DATA_DIR: path.dirname(SEED), LOG_LEVEL: "silent" };
});
afterEach(() => cleanup());

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("verbatim CLI", () => {
  it("ask --json prints the Answer object, indexing the data folder on first use", async () => {
    const { code, out, err } = await cli("ask", "--json", "what did the vice minister say about wastewater?");
    expect(code).toBe(0);
    expect(err).toMatch(/index is empty; indexing/);
    const answer = JSON.parse(out);
    expect(answer.status).toBe("answered");
    expect(answer.question).toBe("what did the vice minister say about wastewater?");
    const q = answer.quotes[0];
    expect(Object.keys(q).sort()).toEqual([
      "articleId",
      "end",
      "link",
      "published",
      "site",
      "start",
      "text",
      "title",
      "url",
    ]);
    expect(q.text).toContain("high-chlorine wastewater discharge");
    expect(q.published).toBe("2018-09-10");
    expect(q.link).toContain("#:~:text=");
  });

  it("ask prints quotes with their source for people", async () => {
    const { out } = await cli("ask", "what did the vice minister say about wastewater?");
    expect(out).toMatch(/^\[1\] “…second, adhere to innovation-driven/);
    expect(out).toContain("— Deputy Minister of the Ministry of Industry and Information Technology");
    expect(out).toContain("Global REEs Venture (globalreesventure.com) — 2018-09-10");
  });

  it("ingest reports counts and warnings, and search --json lists passages", async () => {
    const ingest = await cli("ingest", CORPUS);
    expect(ingest.code).toBe(0);
    expect(ingest.out).toMatch(/^Read 6 file\(s\) in [\d.]+ s\.\nSkipped 2 file\(s\):$/m);
    expect(ingest.out).toMatch(/archive\.txt: binary file \(contains NUL bytes\)/);
    expect(ingest.out).toMatch(/empty\.txt: empty file/);
    expect(ingest.out).toMatch(/^Articles: 7 added, 0 updated, 0 unchanged, 0 removed\.$/m);
    expect(ingest.err).toMatch(/briefs\.jsonl:3: malformed JSON line skipped/);
    const again = await cli("ingest", CORPUS);
    expect(again.out).toMatch(/^Read 6 file\(s\) in [\d.]+ s \(6 unchanged since the last ingest\)\./m);
    expect(again.out).toMatch(/^Articles: 0 added, 0 updated, 7 unchanged, 0 removed\.$/m);
    const search = await cli("search", "--json", "harbor channel");
    const hits = JSON.parse(search.out);
    expect(hits[0].title).toBe("City council approves harbor dredging plan");
    expect(hits[0].text).toContain("channel");
  });

  it("ingest lists what it skipped and why, follows links to files, and fails on a path that does not exist", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const data = path.join(dir, "data");
      mkdirSync(path.join(data, "sub"), { recursive: true });
      writeFileSync(
        path.join(data, "a.md"),
        "# Lighthouse restored\n\nThe old lighthouse on the cape was restored.",
      );
      writeFileSync(path.join(data, "photo.png"), "\x89PNG");
      writeFileSync(path.join(dir, "outside.txt"), "Canal reopens\n\nThe canal reopened to boats on Monday.");
      symlinkSync(path.join(dir, "outside.txt"), path.join(data, "linked.txt"));
      symlinkSync(path.join(data, "sub"), path.join(data, "loop"));
      symlinkSync(path.join(dir, "gone.txt"), path.join(data, "broken.txt"));
      const run = await cli("ingest", "--index", path.join(dir, "i.sqlite"), data, path.join(dir, "nope"));
      expect(run.code).toBe(1);
      expect(run.out).toMatch(/^Read 2 file\(s\)/m);
      expect(run.out).toMatch(/^Skipped 3 file\(s\):$/m);
      expect(run.out).toMatch(/photo\.png: not a kind of file Verbatim reads/);
      expect(run.out).toMatch(/loop: a link to a folder \(not followed/);
      expect(run.out).toMatch(/broken\.txt: a link to nothing/);
      expect(run.out).toMatch(/^Not found: .*nope$/m);
      expect(run.out).toMatch(/^Articles: 2 added/m);
    } finally {
      cleanup();
    }
  });

  it("hostile input gets a clear message, never a stack trace", async () => {
    const empty = await cli("ask", "");
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/Give a question/);
    const syntax = await cli("search", 'NEAR("a" * -b: AND (');
    expect(syntax.code).toBe(0);
    const unknown = await cli("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown command "frobnicate"/);
    const badFlag = await cli("ask", "--nope", "x");
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/Unknown option '--nope'/);
  });

  it("MIN_RELEVANCE sets how sure an answer must be: 0 quotes for an off-corpus question, the default refuses it", async () => {
    const offCorpus = "What is the price of rare earth oxide in Tokyo?";
    const refused = await cli("ask", "--json", offCorpus);
    expect(JSON.parse(refused.out).status).toBe("nothing-relevant");
    env.MIN_RELEVANCE = "0";
    const answered = await cli("ask", "--json", offCorpus);
    expect(JSON.parse(answered.out).status).toBe("answered");
    env.MIN_RELEVANCE = "2";
    const bad = await cli("ask", "wastewater");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/MIN_RELEVANCE is invalid: must be a number from 0 \(never refuse\) to 1/);
  });

  it("a bad setting names the variable", async () => {
    env.MAX_QUOTES = "lots";
    const { code, err } = await cli("ask", "wastewater");
    expect(code).toBe(1);
    expect(err).toMatch(/MAX_QUOTES is invalid/);
  });
});

describe("npm run ask, as a user runs it", () => {
  it("answers from a fresh index in a child process", async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "ask", "--json", "what did the vice minister say about wastewater?"],
      { cwd: root, env: { ...process.env, ...env } },
    );
    expect(JSON.parse(stdout).quotes[0].text).toContain(
      "ammonia nitrogen and high-chlorine wastewater discharge",
    );
  });
});

describe("backup", () => {
  it("copies the index and the state while they are open, into files that open and answer", async () => {
    env.STATE_URL = `sqlite://${path.join(dir, "state.sqlite")}`;
    expect((await cli("ingest", CORPUS)).code).toBe(0);
    // The state file exists once something opened it (the bot does at start).
    const { openState } = await import("../src/state/state.js");
    const state = await openState(env.STATE_URL);
    await state.ns("settings").set("k", "v");
    const dest = path.join(dir, "backups", "monday.sqlite");
    const run = await cli("backup", dest);
    await state.close();
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Backed up the index .* \(\d+ pages, checked\)\.$/m);
    expect(run.out).toMatch(/Backed up the state .*monday\.state\.sqlite \(checked\)/);
    const ask = await cli(
      "ask",
      "--index",
      dest,
      "--json",
      "what did the vice minister say about wastewater?",
    );
    expect(JSON.parse(ask.out).quotes[0].text).toContain("high-chlorine wastewater");
    const again = await cli("backup", dest);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists: name a new file/);
  });
});

describe("invite", () => {
  it("prints the server install link with the bot's permissions, and the user install link", async () => {
    env.DISCORD_CLIENT_ID = "110000000000000001";
    const { code, out } = await cli("invite");
    expect(code).toBe(0);
    const [server, user] = [...out.matchAll(/https:\/\/\S+/g)].map((m) => new URL(m[0]));
    expect(Object.fromEntries(server?.searchParams ?? [])).toEqual({
      client_id: "110000000000000001",
      scope: "bot applications.commands",
      permissions: "309237730304",
      integration_type: "0",
    });
    expect(Object.fromEntries(user?.searchParams ?? [])).toEqual({
      client_id: "110000000000000001",
      scope: "applications.commands",
      integration_type: "1",
    });
    expect(out).toMatch(/Manage Server/);
    expect(out).toMatch(/User Install on the portal's Installation page/);
  });
});

describe("where files live", () => {
  it("defaults to Verbatim's own folder whatever folder a command runs from; paths given are read from there", () => {
    const root = path.resolve(import.meta.dirname, "..");
    const elsewhere = loadConfig({}, "/tmp/somewhere-else");
    expect(elsewhere.indexPath).toBe(path.join(root, ".verbatim", "index.sqlite"));
    expect(elsewhere.dataDir).toBe(path.join(root, "data"));
    expect(elsewhere.synonymsPath).toBe(path.join(root, "config", "synonyms.txt"));
    expect(elsewhere.stateUrl).toBe(`sqlite://${path.join(root, ".verbatim", "state.sqlite")}`);
    expect(loadConfig({ INDEX_PATH: "my/index.sqlite" }, "/tmp/somewhere-else").indexPath).toBe(
      "/tmp/somewhere-else/my/index.sqlite",
    );
  });
});

describe("npm run state-copy", () => {
  it("copies STATE_URL's settings and subscriptions into another store and says what it moved", async () => {
    const from = `sqlite://${path.join(dir, "state.sqlite")}`;
    const to = `sqlite://${path.join(dir, "shared.sqlite")}`;
    const source = await openState(from);
    await source.ns("settings").set("guild:1", { timezone: "Europe/Oslo" });
    await source.ns("subscriptions").set("index", ["s1"]);
    await source.close();
    env.STATE_URL = from;
    const { code, out } = await cli("state-copy", "--to", to);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^Copied 2 keys from sqlite \(.*state\.sqlite\) to sqlite \(.*shared\.sqlite\): settings 1, sessions 0, subscriptions 1, cache 0, feedback 0\./,
    );
    const target = await openState(to);
    try {
      expect(await target.ns("settings").get("guild:1")).toEqual({ timezone: "Europe/Oslo" });
      expect(await target.ns("subscriptions").get("index")).toEqual(["s1"]);
    } finally {
      await target.close();
    }
    expect((await cli("state-copy")).err).toMatch(/Name the state store to copy into/);
    expect((await cli("state-copy", "--to", from)).err).toMatch(
      /--to names the state store it would copy from/,
    );
    expect((await cli("state-copy", "--to", "mysql://x")).err).toMatch(
      /STATE_URL must start with sqlite:\/\/, redis:\/\/ or postgres:\/\//,
    );
  });
});

describe("SHARDS", () => {
  it("reads auto or a count, refuses anything else by name, and is ignored inside a shard process", () => {
    expect(loadConfig({}).discord.shards).toBeNull();
    expect(loadConfig({ SHARDS: "auto" }).discord.shards).toBe("auto");
    expect(loadConfig({ SHARDS: "4" }).discord.shards).toBe(4);
    for (const bad of ["0", "two", "-1", "1.5"])
      expect(() => loadConfig({ SHARDS: bad }), bad).toThrow(
        /SHARDS is invalid: must be auto .* or a number/,
      );
    // discord.js's ShardingManager sets SHARDS to the shard's own id in each shard process.
    expect(loadConfig({ SHARDS: "0", SHARDING_MANAGER: "true" }).discord.shards).toBeNull();
  });
});

describe("log lines", () => {
  const line = (format: string) =>
    promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./src/log.ts").then(({ createLogger }) => createLogger("info", 1, "${format}").info({ guild: "g1", token: "secret-token" }, "answered"))`,
      ],
      { cwd: path.resolve(import.meta.dirname, "..") },
    );

  it("are readable with LOG_FORMAT=pretty, JSON with json, and never show a token", async () => {
    const pretty = (await line("pretty")).stdout;
    expect(pretty).toMatch(/INFO.*answered/);
    expect(pretty).toMatch(/guild: "g1"/);
    expect(pretty.trim().startsWith("{")).toBe(false);
    const json = JSON.parse((await line("json")).stdout);
    expect(json).toMatchObject({ msg: "answered", guild: "g1", token: "[redacted]" });
    // auto: JSON when the output is not a terminal (as under systemd, Docker or a pipe).
    expect(JSON.parse((await line("auto")).stdout).msg).toBe("answered");
    expect(pretty + JSON.stringify(json)).not.toContain("secret-token");
  });
});

describe("configuration from .env.example, as `cp .env.example .env` leaves it", () => {
  it("loads (every empty variable means unset) and answers a question with it", async () => {
    const example = dotenv.parse(readFileSync(path.resolve(import.meta.dirname, "../.env.example"), "utf8"));
    expect(Object.keys(example).length).toBeGreaterThan(10);
    const config = loadConfig(example);
    expect(config.logLevel).toBe("info");
    expect(config.maxQuotes).toBe(3);
    expect(config.openai.apiKey).toBeUndefined();
    const out: string[] = [];
    const code = await runCli(
      ["ask", "--json", "what did the vice minister say about wastewater?"],
      { out: (t) => out.push(t), err: () => {} },
      // The example file as it is, pointed at a scratch index and the fixtures (LOG_LEVEL stays empty).
      { ...example, INDEX_PATH: path.join(dir, "index.sqlite"), DATA_DIR: path.dirname(SEED) },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join("\n")).status).toBe("answered");
  });
});
