import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import dotenv from "dotenv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { loadConfig } from "../src/config.js";
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
    expect(ingest.out).toMatch(/Indexed 8 file\(s\) .*: 7 added/);
    expect(ingest.err).toMatch(/briefs\.jsonl:3: malformed JSON line skipped/);
    expect(ingest.err).toMatch(/archive\.txt: skipped: binary file/);
    const again = await cli("ingest", CORPUS);
    expect(again.out).toMatch(/0 added, 0 updated/);
    const search = await cli("search", "--json", "harbor channel");
    const hits = JSON.parse(search.out);
    expect(hits[0].title).toBe("City council approves harbor dredging plan");
    expect(hits[0].text).toContain("channel");
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
