import { once } from "node:events";
import { cpSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotProcess, startBot } from "./fake-discord/bot-process.js";
import { subcommand, TOKEN } from "./fake-discord/in-process.js";
import { FakeDiscord, type RecordedRequest } from "./fake-discord/server.js";
import { CORPUS, freshSchema, saveDueDigest, tempDir } from "./helpers.js";

const description = (r: RecordedRequest) =>
  ((r.body as { embeds?: { description?: string }[] } | undefined)?.embeds ?? [])[0]?.description ?? "";
/** Wait until `check` holds, polling; fails with `what` after `ms`. */
async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The shard suite over one index backend: the SQLite file both processes open, or (when TEST_DATABASE_URL is
 * given) PostgreSQL in a schema of this run, which both processes reach over their own connections.
 */
function shardSuite(
  backend: string,
  index: (dir: string) => Promise<{ env: Record<string, string>; drop: () => Promise<void> }>,
) {
  describe(`SHARDS: one gateway connection per shard process (index in ${backend})`, () => {
    const tmp = tempDir();
    let fake: FakeDiscord;
    let site: Server;
    let base = "";
    let manager: BotProcess;

    let dropIndex: () => Promise<void> = async () => {};
    const answerOf = (token: string) =>
      fake.waitFor((r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`), 20_000);
    const shardLines = (msg: string) => manager.logs().filter((l) => l.msg === msg);

    beforeAll(async () => {
      const { env: indexEnv, drop } = await index(tmp.dir);
      dropIndex = drop;
      site = createServer((req, res) => {
        res.writeHead(req.url === "/ferry" ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
        res.end(
          "<!doctype html><html><head><title>Night ferry returns</title></head><body><article><h1>Night ferry returns</h1><p>The night ferry to Harlow Island returns on Friday after a winter of repairs to its zorblite hull, the operator said.</p></article></body></html>",
        );
      });
      site.listen(0, "127.0.0.1");
      await once(site, "listening");
      base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      fake = new FakeDiscord();
      fake.recommendedShards = 2;
      await fake.start();
      const dataDir = path.join(tmp.dir, "data");
      mkdirSync(dataDir);
      cpSync(CORPUS, dataDir, { recursive: true });
      // A daily digest whose slot passed while nothing ran: whichever shard holds the delivery lease posts it, once.
      const stateUrl = `sqlite://${path.join(tmp.dir, "state.sqlite")}`;
      await saveDueDigest(stateUrl, { guildId: fake.guildId, channelId: fake.channelId }, { seq: 0, max: 5 });
      manager = startBot({
        DISCORD_TOKEN: TOKEN,
        DISCORD_CLIENT_ID: fake.applicationId,
        DISCORD_API_URL: fake.apiUrl,
        ...indexEnv,
        STATE_URL: stateUrl,
        DATA_DIR: dataDir,
        SHARDS: "auto",
        COOLDOWN_QUESTIONS: "1",
        COOLDOWN_SECONDS: "60",
        ALLOW_PRIVATE_URLS: "true",
        LOG_LEVEL: "info",
      });
      await Promise.race([
        until(() => shardLines("all shards connected").length > 0, "both shards to connect"),
        manager.exited.then((code) => {
          throw new Error(`the shard manager exited (${code}): ${manager.stderr()}`);
        }),
      ]);
    }, 90_000);

    afterAll(async () => {
      if (process.env.DEBUG_E2E) console.log(JSON.stringify(manager?.logs(), null, 1), manager?.stderr());
      await manager?.stop();
      await fake?.stop();
      site?.close();
      tmp.cleanup();
      await dropIndex();
    });

    it("runs as many shards as Discord recommends, each with its own servers; the server goes to shard 1, DMs to 0", () => {
      expect(shardLines("starting shard processes")[0]?.shards).toBe(2);
      expect(fake.identifiedShards).toEqual(
        expect.arrayContaining([
          [0, 2],
          [1, 2],
        ]),
      );
      expect(FakeDiscord.shardFor(fake.guildId, 2)).toBe(1);
      const pids = new Set(shardLines("shard process started").map((l) => l.pid));
      expect(pids.size).toBe(2);
    });

    it("answers in the server from shard 1 and in a DM from shard 0, and a cooldown taken in one binds in the other", async () => {
      const user = "1400000000000000301";
      const inServer = fake.slash(
        "ask",
        [{ name: "question", type: 3, value: "what did the vice minister say about wastewater?" }],
        { userId: user },
      );
      expect(description(await answerOf(inServer.token))).toContain("high-chlorine wastewater discharge");
      const inDm = fake.slash(
        "ask",
        [{ name: "question", type: 3, value: "how long do cargo ships wait for the tide?" }],
        { userId: user, dm: true },
      );
      const callback = await fake.waitFor(
        (r) => r.method === "POST" && r.path.includes(`/${inDm.token}/callback`),
        20_000,
      );
      expect(JSON.stringify(callback.body)).toMatch(/asking quickly/);
      await until(() => shardLines("interaction answered").length >= 2, "both answers to be logged", 10_000);
      const byShard = shardLines("interaction answered").map((l) => l.shard);
      expect(byShard).toEqual(expect.arrayContaining([1, 0]));
    });

    it("answers in a DM (shard 0) from an article added in the server (shard 1)", async () => {
      const added = await subcommand(fake, "corpus", "add-url", [
        { name: "url", type: 3, value: `${base}/ferry` },
      ]);
      expect(added.content).toMatch(/^Indexed: \*\*Night ferry returns\*\*/);
      const asked = fake.slash(
        "ask",
        [{ name: "question", type: 3, value: "what was repaired on the zorblite ferry?" }],
        { userId: "1400000000000000302", dm: true },
      );
      expect(description(await answerOf(asked.token))).toContain("zorblite hull");
    });

    it("posts a due digest once, from one shard, though both are running", async () => {
      const firstParts = () =>
        fake.requests.filter(
          (r) =>
            r.method === "POST" &&
            r.path === `/channels/${fake.channelId}/messages` &&
            /^digest [0-9a-f]+ · part 1\//.test(
              ((r.body as { embeds?: { footer?: { text?: string } }[] }).embeds ?? []).at(-1)?.footer?.text ??
                "",
            ),
        );
      await until(() => firstParts().length > 0, "the digest", 30_000);
      // Both shards tick at least once more (every few seconds while a digest is due, else every minute).
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(firstParts()).toHaveLength(1);
    }, 40_000);

    it("starts a shard process again when it dies, and it connects again", async () => {
      const started = shardLines("shard process started");
      const victim = started.find((l) => l.shard === 0);
      expect(victim?.pid).toBeTypeOf("number");
      const identifiesBefore = fake.identifiedShards.length;
      process.kill(victim?.pid as number, "SIGKILL");
      await until(
        () => shardLines("shard process stopped; starting it again").length > 0,
        "the manager to see the death",
        20_000,
      );
      await until(
        () => fake.identifiedShards.length > identifiesBefore,
        "the shard to identify again",
        40_000,
      );
      expect(fake.identifiedShards.at(-1)).toEqual([0, 2]);
    }, 70_000);

    it("stops every shard process on SIGTERM and exits 0", async () => {
      const pids = shardLines("shard process started").map((l) => l.pid as number);
      expect(await manager.stop()).toBe(0);
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(pids.filter(alive)).toEqual([]);
      expect(
        shardLines("stopping: finishing replies in flight")
          .map((l) => l.shard)
          .sort(),
      ).toEqual([0, 1]);
    }, 30_000);
  });
}

shardSuite("SQLite", async (dir) => ({
  env: { INDEX_PATH: path.join(dir, "index.sqlite") },
  drop: async () => {},
}));

const SERVER = process.env.TEST_DATABASE_URL;
if (SERVER)
  shardSuite("PostgreSQL", async () => {
    const { url, drop } = await freshSchema(SERVER, "verbatim_shards");
    return { env: { INDEX_URL: url }, drop };
  });
else
  console.info(
    "shards over a PostgreSQL index skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it",
  );
