import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextRun } from "../src/digest/schedule.js";
import type { Bot } from "../src/discord/bot.js";
import type { Corpus } from "../src/index/open.js";
import { type InProcessBot, MANAGE_GUILD, startInProcessBot, subcommand } from "./fake-discord/in-process.js";
import type { FakeDiscord, RecordedRequest } from "./fake-discord/server.js";
import { newsArticle } from "./helpers.js";

let env: InProcessBot;
let fake: FakeDiscord;
let bot: Bot;
let corpus: Corpus;
let now = new Date("2026-11-26T05:00:00Z");

type Body = {
  type?: number;
  content?: string;
  embeds?: { title?: string; description?: string; footer?: { text: string } }[];
  allowed_mentions?: { parse?: string[] };
  nonce?: string;
  enforce_nonce?: boolean;
};
const body = (r: RecordedRequest) => (r.body ?? {}) as Body;
const channelPosts = (since: number, channelId: string) =>
  fake.after(since, (r) => r.method === "POST" && r.path === `/channels/${channelId}/messages`);

function addArticle(id: string, title: string, text: string): void {
  const article = newsArticle(id, title, text);
  // Articles are first seen on the test's clock, a second after "now".
  corpus.store.upsertArticle(article, new Date(now.getTime() + 1000).toISOString());
}

const digestCommand = (
  sub: string,
  options: { name: string; type: number; value: unknown }[] = [],
  extra: { permissions?: string } = {},
) => subcommand(fake, "digest", sub, options, extra) as Promise<Body>;
/** `/digest now` into one channel. */
const digestNow = (channelId: string) =>
  digestCommand("now", [{ name: "channel", type: 7, value: channelId }]);

beforeAll(async () => {
  env = await startInProcessBot({}, () => now);
  ({ fake, bot, corpus } = env);
}, 30_000);

afterAll(async () => {
  await env?.stop();
});

describe("digests through a fake Discord", () => {
  it("refuses members without Manage Server", async () => {
    const reply = await digestCommand("list", [], { permissions: "0" });
    expect(reply.content).toMatch(/Manage Server/);
  });

  it("refuses a channel the bot cannot post in, and saves nothing", async () => {
    const reply = await digestCommand("subscribe", [
      { name: "channel", type: 7, value: fake.lockedChannelId },
      { name: "time", type: 3, value: "08:00" },
      { name: "timezone", type: 3, value: "Europe/Berlin" },
    ]);
    expect(reply.content).toMatch(/can't post digests in <#1300000000000000002>: I need SendMessages/);
    expect(await bot.deps.digests.subscriptions.all()).toEqual([]);
  });

  it("refuses an unknown time zone, 25:00 and an empty topic, saving nothing", async () => {
    const base = [{ name: "channel", type: 7, value: fake.channelId }];
    expect(
      (
        await digestCommand("subscribe", [
          ...base,
          { name: "time", type: 3, value: "08:00" },
          { name: "timezone", type: 3, value: "Mars/Olympus" },
        ])
      ).content,
    ).toMatch(/not a time zone/);
    expect(
      (await digestCommand("subscribe", [...base, { name: "time", type: 3, value: "25:00" }])).content,
    ).toMatch(/not a time of day/);
    expect(
      (
        await digestCommand("subscribe", [
          ...base,
          { name: "time", type: 3, value: "08:00" },
          { name: "topic", type: 3, value: "   " },
        ])
      ).content,
    ).toMatch(/topic is empty/);
    expect(await bot.deps.digests.subscriptions.all()).toEqual([]);
  });

  it("subscribes by interaction; when the clock reaches the slot, one message posts the new articles", async () => {
    const reply = await digestCommand("subscribe", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "time", type: 3, value: "08:00" },
      { name: "timezone", type: 3, value: "Europe/Berlin" },
    ]);
    expect(reply.content).toMatch(
      /^Subscribed <#1300000000000000001> \(id `[0-9a-f]+`\): 08:00 Europe\/Berlin, every day/,
    );
    addArticle(
      "harbor",
      "Harbor dredging approved",
      "The city council approved dredging the northern harbor channel on Wednesday. Harbor master Jonas Berg said ships wait six hours for the tide.",
    );
    addArticle(
      "rail",
      "Rail strike ends @everyone",
      "Train drivers returned to work on Monday after the union accepted a pay rise. The strike had halted freight traffic.",
    );

    const since = fake.requests.length;
    expect(await bot.deps.digests.scheduler.tick()).toEqual([]);
    const [sub] = await bot.deps.digests.subscriptions.all();
    now = new Date(
      Math.max(
        nextRun(sub?.schedule ?? { kind: "cron", cron: "0 0 * * *", timezone: "UTC" }, now)?.getTime() ?? 0,
        now.getTime() + 5000,
      ),
    );
    expect(await bot.deps.digests.scheduler.tick()).toHaveLength(1);
    const posts = channelPosts(since, fake.channelId);
    expect(posts).toHaveLength(1);
    const message = body(posts[0] as RecordedRequest);
    expect(message.allowed_mentions?.parse).toEqual([]);
    expect(message.enforce_nonce).toBe(true);
    const description = message.embeds?.[0]?.description ?? "";
    expect(message.embeds?.[0]?.title).toMatch(/News digest — 2 new articles/);
    expect(description).toContain("[Harbor dredging approved](https://news.example.com/harbor#:~:text=");
    expect(description).toContain("Rail strike ends @\u200beveryone");
    expect(description).toMatch(/> .*Train drivers returned to work on Monday/);
    expect(message.embeds?.at(-1)?.footer?.text).toMatch(/^digest [0-9a-f]+ · part 1\/1$/);

    // The same slot never posts again.
    expect(await bot.deps.digests.scheduler.tick()).toEqual([]);
    expect(channelPosts(since, fake.channelId)).toHaveLength(1);
  });

  it("/digest now posts immediately, only what is new", async () => {
    addArticle(
      "apples",
      "Record apple harvest expected",
      "Growers in the valley expect a record apple harvest thanks to a mild spring.",
    );
    now = new Date(now.getTime() + 2000);
    const since = fake.requests.length;
    const reply = await digestCommand("now");
    expect(reply.content).toMatch(/Posted 1 article\(s\) to <#1300000000000000001>/);
    const posts = channelPosts(since, fake.channelId);
    expect(posts).toHaveLength(1);
    expect(body(posts[0] as RecordedRequest).embeds?.[0]?.description).toContain(
      "Record apple harvest expected",
    );
    expect(body(posts[0] as RecordedRequest).embeds?.[0]?.description).not.toContain("Harbor dredging");
  });

  it("/digest list shows the next run and the last result; preview is private; unsubscribe removes", async () => {
    const list = await digestCommand("list");
    expect(list.content).toMatch(
      /<#1300000000000000001> — 08:00 Europe\/Berlin, every day — next <t:\d+:R> — last: posted 1 article\(s\) in 1 message\(s\)/,
    );
    addArticle(
      "museum",
      "Museum returns bronze",
      "The museum handed the bronze head back to a delegation from Benin on Friday.",
    );
    now = new Date(now.getTime() + 2000);
    const { token } = fake.slash("digest", [{ name: "preview", type: 1, options: [] }], {
      userId: "1400000000000000050",
      permissions: MANAGE_GUILD,
    });
    const callback = await fake.waitFor((r) => r.method === "POST" && r.path.includes(`/${token}/callback`));
    expect(((callback.body as { data?: { flags?: number } }).data?.flags ?? 0) & 64).toBe(64);
    const preview = body(
      await fake.waitFor((r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`)),
    );
    expect(preview.embeds?.[0]?.title).toMatch(/^Preview: 1 article/);
    const id = /`([0-9a-f]+)`/.exec(list.content ?? "")?.[1] ?? "";
    expect((await digestCommand("unsubscribe", [{ name: "id", type: 3, value: id }])).content).toMatch(
      /Removed the digest/,
    );
    expect(await bot.deps.digests.subscriptions.all()).toEqual([]);
  });
  it("a digest pings the one role its subscriber chose, never @everyone, and keeps to its keyword rules", async () => {
    const ROLE = "1600000000000000001";
    const refused = await digestCommand("subscribe", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "time", type: 3, value: "09:00" },
      { name: "role", type: 8, value: fake.guildId },
    ]);
    expect(refused.content).toMatch(/never ping @everyone/);

    const subscribed = await digestCommand("subscribe", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "time", type: 3, value: "09:00" },
      { name: "include", type: 3, value: "lighthouse, ferry" },
      { name: "exclude", type: 3, value: "museum" },
      { name: "role", type: 8, value: ROLE },
    ]);
    expect(subscribed.content).toMatch(
      /with one of: lighthouse, ferry, without: museum, up to 10 articles, pinging <@&1600000000000000001>/,
    );
    addArticle(
      "lh",
      "Lighthouse restored @everyone",
      "The old lighthouse on the cape was restored. <@&1700000000000000001>",
    );
    addArticle("museum", "Ferry to become a museum", "The old ferry will be moored as a museum.");
    addArticle("rails", "Rail timetable", "Trains run every ten minutes from Monday.");
    now = new Date(now.getTime() + 2000);
    const since = fake.requests.length;
    const posted = await digestNow(fake.channelId);
    expect(posted.content).toMatch(/Posted 1 article\(s\)/);
    const [post] = channelPosts(since, fake.channelId);
    const message = body(post as RecordedRequest) as Body & {
      allowed_mentions?: { parse?: string[]; roles?: string[] };
    };
    expect(message.content).toBe(`<@&${ROLE}>`);
    expect(message.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
    expect(message.embeds?.[0]?.description).toContain("Lighthouse restored");
    expect(message.embeds?.[0]?.description).not.toContain("museum");
    expect(message.embeds?.[0]?.description).not.toContain("Rail timetable");
  });
});

describe("digests into threads and forums", () => {
  const footerParts = (messages: Record<string, unknown>[] | undefined) =>
    (messages ?? []).flatMap((m) =>
      ((m.embeds as { footer?: { text?: string } }[] | undefined) ?? []).map((e) => e.footer?.text ?? ""),
    );
  async function clearSubscriptions() {
    for (const s of await bot.deps.digests.subscriptions.inGuild(fake.guildId))
      await bot.deps.digests.subscriptions.remove(s.id);
  }
  const longText = (i: number) =>
    `Item ${i}: the lighthouse keepers' association said ${"the restoration of the lamp room and the stairs ".repeat(6)}would finish before the winter storms.`;

  it("each digest in a new thread on its first message; a failed thread start is retried without posting twice", async () => {
    await clearSubscriptions();
    const subscribed = await digestCommand("subscribe", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "time", type: 3, value: "09:00" },
      { name: "thread", type: 5, value: true },
    ]);
    expect(subscribed.content).toMatch(/each in a new thread/);
    addArticle("keepers", "Keepers return", "The lighthouse keepers returned to the cape on Tuesday.");
    now = new Date(now.getTime() + 2000);
    const since = fake.requests.length;
    fake.fail("POST", /^\/channels\/\d+\/messages\/\d+\/threads$/, 403);
    expect((await digestNow(fake.channelId)).content).toMatch(/could not be posted/);
    expect((await digestNow(fake.channelId)).content).toMatch(/Posted 1 article/);
    const starters = channelPosts(since, fake.channelId);
    expect(starters).toHaveLength(1);
    const starts = fake.after(since, (r) => r.method === "POST" && r.path.endsWith("/threads"));
    expect(starts).toHaveLength(2);
    expect((starts[1]?.body as { name?: string } | undefined)?.name).toBe("News digest · 26 November 2026");
    const thread = fake.threads.get(String(starts[1]?.path.split("/")[4]));
    expect(thread?.parent_id).toBe(fake.channelId);
  });

  it("a forum gets one post per digest, its later parts inside; a part that failed is sent once on the retry", async () => {
    await clearSubscriptions();
    const subscribed = await digestCommand("subscribe", [
      { name: "channel", type: 7, value: fake.forumChannelId },
      { name: "time", type: 3, value: "09:00" },
      { name: "max", type: 4, value: 25 },
    ]);
    expect(subscribed.content).toMatch(/each as a new post/);
    for (let i = 0; i < 25; i++) addArticle(`lamp${i}`, `Lamp room news ${i}`, longText(i));
    now = new Date(now.getTime() + 2000);
    const since = fake.requests.length;
    // The post and its first part are created; the second part is refused once.
    fake.fail("POST", /^\/channels\/\d+\/messages$/, 403);
    expect((await digestNow(fake.forumChannelId)).content).toMatch(/could not be posted/);
    expect((await digestNow(fake.forumChannelId)).content).toMatch(/Posted 25 article/);
    const posts = fake.after(
      since,
      (r) => r.method === "POST" && r.path === `/channels/${fake.forumChannelId}/threads`,
    );
    expect(posts).toHaveLength(1);
    const post = [...fake.threads.values()].find((t) => t.parent_id === fake.forumChannelId);
    expect(post?.name).toBe("News digest · 26 November 2026");
    const parts = footerParts(fake.channelMessages.get(String(post?.id)));
    const total = Number(/part \d+\/(\d+)/.exec(parts[0] ?? "")?.[1]);
    expect(total).toBeGreaterThan(1);
    expect(parts.map((p) => /part (\d+)\//.exec(p)?.[1])).toEqual(
      Array.from({ length: total }, (_, i) => String(i + 1)),
    );
  });
});
