import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexStore } from "../src/index/store.js";
import { type BotProcess, startBot } from "./fake-discord/bot-process.js";
import { MANAGE_GUILD, TOKEN } from "./fake-discord/in-process.js";
import { FakeDiscord, type RecordedRequest } from "./fake-discord/server.js";
import { newsArticle, tempDir } from "./helpers.js";

// The bot runs as `npm start` runs it, and is killed with SIGKILL: what a crash, an OOM kill or a power cut leaves.

let fake: FakeDiscord;
let env: Record<string, string>;
let bot: BotProcess;
let cleanup: () => void;
let indexPath: string;

const article = (id: string, title: string, text: string) => newsArticle(id, title, text);

/** Start the bot and wait until it has identified to the gateway. */
async function start(): Promise<BotProcess> {
  const identified = fake.identifies;
  const p = startBot(env);
  const deadline = Date.now() + 30_000;
  while (fake.identifies === identified) {
    if (p.child.exitCode !== null) throw new Error(`bot exited (${p.child.exitCode}): ${p.stderr()}`);
    if (Date.now() > deadline) throw new Error(`bot did not connect: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return p;
}

async function digest(sub: string, options: { name: string; type: number; value: unknown }[] = []) {
  const { token } = fake.slash("digest", [{ name: sub, type: 1, options }], {
    userId: "1400000000000000050",
    permissions: MANAGE_GUILD,
    channels: options.filter((o) => o.type === 7).map((o) => String(o.value)),
  });
  const edit = await fake.waitFor(
    (r: RecordedRequest) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
    20_000,
  );
  return ((edit.body ?? {}) as { content?: string }).content ?? "";
}

/** Digest messages the bot asked Discord to create in the channel, with their footer markers. */
const digestPosts = () =>
  fake
    .after(0, (r) => r.method === "POST" && r.path === `/channels/${fake.channelId}/messages`)
    .map(
      (r) =>
        ((r.body ?? {}) as { embeds?: { footer?: { text?: string } }[] }).embeds?.at(-1)?.footer?.text ?? "",
    )
    .filter((footer) => footer.startsWith("digest "));

beforeAll(async () => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  indexPath = path.join(tmp.dir, "index.sqlite");
  fake = new FakeDiscord();
  await fake.start();
  env = {
    DISCORD_TOKEN: TOKEN,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    INDEX_PATH: indexPath,
    STATE_URL: `sqlite://${path.join(tmp.dir, "state.sqlite")}`,
    DATA_DIR: path.join(tmp.dir, "data"),
    LOG_LEVEL: "info",
    // The restarted bot takes digest delivery over from the killed one once its lease expires.
    LEASE_SECONDS: "1",
  };
  bot = await start();
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  cleanup?.();
});

describe("digests across an ingest in progress and a kill -9", () => {
  it("articles an ingest was still writing when a digest ran come in the next digest", async () => {
    const subscribed = await digest("subscribe", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "time", type: 3, value: "08:00" },
      { name: "topic", type: 3, value: "lighthouse" },
    ]);
    expect(subscribed).toMatch(/^Subscribed/);

    // Another process (`npm run ingest`) writes 5 matching articles among 3,000 others in one transaction.
    const writer = new IndexStore(indexPath);
    let commit: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      commit = resolve;
    });
    const ingest = writer.transactionAsync(async () => {
      for (let i = 0; i < 3000; i++) {
        writer.upsertArticle(
          article(`other-${i}`, `Council minutes ${i}`, `The council met for the ${i}th time.`),
        );
        if (i % 600 === 0)
          writer.upsertArticle(
            article(
              `light-${i}`,
              `Lighthouse restored ${i}`,
              `The old lighthouse on the cape was restored (${i}).`,
            ),
          );
      }
      await gate;
    });
    try {
      expect(await digest("now")).toMatch(/^Nothing new for <#\d+> since the last digest\.$/);
    } finally {
      commit();
      await ingest;
      writer.close();
    }
    expect(await digest("now")).toMatch(/^Posted 5 article\(s\) to <#\d+>\.$/);
    expect(await digest("now")).toMatch(/^Nothing new/);
  }, 60_000);

  it("a digest Discord accepted just before a kill -9 is not posted again, however busy the channel was since", async () => {
    const writer = new IndexStore(indexPath);
    writer.upsertArticle(
      article("light-new", "Lighthouse keeper retires", "The lighthouse keeper retired after forty years."),
    );
    writer.close();
    // Discord creates the message, but the bot never hears back: it is killed while waiting.
    fake.hold("POST", new RegExp(`^/channels/${fake.channelId}/messages$`));
    const before = digestPosts().length;
    fake.slash("digest", [{ name: "now", type: 1, options: [] }], {
      userId: "1400000000000000050",
      permissions: MANAGE_GUILD,
    });
    await fake.waitFor(() => digestPosts().length > before, 20_000);
    const [footer] = digestPosts().slice(before);
    expect(footer).toMatch(/^digest [0-9a-f]+ · part 1\/1$/);
    bot.child.kill("SIGKILL");
    await bot.exited;
    fake.release();

    // Meanwhile the channel moves on by more than a page of messages, and Discord forgets the nonce.
    for (let i = 0; i < 160; i++) fake.postAsMember(fake.channelId, `chat message ${i}`);
    fake.forgetNonces();
    // The restarted bot reconciles the pending digest at start-up, reading every message since it was sent.
    bot = await start();
    const deadline = Date.now() + 20_000;
    while (!bot.logs().some((l) => l.msg === "digest run" || l.msg === "digest failed")) {
      if (Date.now() > deadline) throw new Error(`no digest run after the restart: ${bot.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(bot.logs().find((l) => l.msg === "digest run")).toMatchObject({ posted: 1 });
    expect(digestPosts().filter((f) => f === footer)).toHaveLength(1);
    expect(await digest("now")).toMatch(/^Nothing new/);
    expect(digestPosts().filter((f) => f === footer)).toHaveLength(1);
  }, 90_000);
});
