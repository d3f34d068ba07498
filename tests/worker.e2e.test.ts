import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IndexStore } from "../src/index/store.js";
import { startBot } from "./fake-discord/bot-process.js";
import { TOKEN } from "./fake-discord/in-process.js";
import { FakeDiscord } from "./fake-discord/server.js";
import { newsArticle, saveDueDigest, tempDir } from "./helpers.js";

const tmp = tempDir();
const fake = new FakeDiscord();
afterAll(async () => {
  await fake.stop();
  tmp.cleanup();
});

describe("npm run worker", () => {
  it("delivers a due digest over REST alone, without connecting to the gateway, and stops on SIGTERM", async () => {
    await fake.start();
    const indexPath = path.join(tmp.dir, "index.sqlite");
    const stateUrl = `sqlite://${path.join(tmp.dir, "state.sqlite")}`;
    const store = new IndexStore(indexPath);
    const seq = store.committedSeq();
    store.upsertArticle(
      newsArticle("lh", "Lighthouse restored", "The old lighthouse on the cape was restored by volunteers."),
    );
    store.close();
    await saveDueDigest(stateUrl, { guildId: fake.guildId, channelId: fake.channelId }, { seq, max: 10 });

    const worker = startBot(
      {
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_URL: fake.apiUrl,
        INDEX_PATH: indexPath,
        STATE_URL: stateUrl,
        DATA_DIR: path.join(tmp.dir, "data"),
        LEASE_SECONDS: "2",
        LOG_LEVEL: "info",
        // Set for the bot beside it: the worker has no gateway, so it is no shard and must ignore it.
        SHARDS: "auto",
      },
      "src/worker.ts",
    );
    try {
      const post = await fake.waitFor(
        (r) => r.method === "POST" && r.path === `/channels/${fake.channelId}/messages`,
        20_000,
      );
      const embeds =
        (post.body as { embeds?: { description?: string; footer?: { text?: string } }[] }).embeds ?? [];
      expect(embeds[0]?.description).toContain("Lighthouse restored");
      expect(embeds.at(-1)?.footer?.text).toMatch(/^digest [0-9a-f]+ · part 1\/1$/);
      expect(fake.identifies).toBe(0);
      expect(worker.logs().some((l) => l.msg === "worker started")).toBe(true);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  }, 40_000);
});
