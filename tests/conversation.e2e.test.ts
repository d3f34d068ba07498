import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessBot, MANAGE_GUILD, startInProcessBot, subcommand } from "./fake-discord/in-process.js";
import type { FakeDiscord, RecordedRequest } from "./fake-discord/server.js";
import { newsArticle } from "./helpers.js";

type Payload = {
  type?: number;
  content?: string;
  flags?: number;
  name?: string;
  embeds?: { title?: string; description?: string; footer?: { text: string } }[];
  components?: { components: { custom_id?: string; label?: string }[] }[];
  message_reference?: { message_id?: string };
  data?: { flags?: number; content?: string; embeds?: { description?: string }[] };
};
const bodyOf = (r: RecordedRequest | undefined) => (r?.body ?? {}) as Payload;
const text = (p: Payload) => JSON.stringify(p);

/** A bot that reads every message (DISCORD_MESSAGE_CONTENT=true), its clock at 20:00 UTC on 26 November 2026. */
let env: InProcessBot;
let fake: FakeDiscord;
const now = new Date("2026-11-26T20:00:00Z");

async function ask(
  question: string,
  userId = "1400000000000000081",
): Promise<{ token: string; body: Payload }> {
  const { token } = fake.slash("ask", [{ name: "question", type: 3, value: question }], { userId });
  const edit = await fake.waitFor(
    (r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
    15_000,
  );
  return { token, body: bodyOf(edit) };
}

/** The bot's reply to a message, or null when it stays silent for `quietMs`. */
async function replyTo(messageId: string, quietMs = 1500): Promise<RecordedRequest | null> {
  try {
    return await fake.waitFor(
      (r) =>
        r.method === "POST" &&
        /^\/channels\/\d+\/messages$/.test(r.path) &&
        bodyOf(r).message_reference?.message_id === messageId,
      quietMs,
    );
  } catch {
    return null;
  }
}

beforeAll(async () => {
  env = await startInProcessBot({ DISCORD_MESSAGE_CONTENT: "true" }, () => now);
  fake = env.fake;
  const articles = [
    newsArticle(
      "harbor",
      "Harbor dredging approved",
      "The city council approved dredging the northern harbor channel. Harbor master Jonas Berg said ships wait six hours for the tide.",
      { publishedAt: "2026-11-25" },
    ),
    newsArticle(
      "clinic",
      "Clinic queues grow",
      "Patients at the downtown clinic wait four hours to see a doctor, the health board said.",
      { publishedAt: "2026-11-26", site: "Health Wire", url: "https://health.example.org/clinic" },
    ),
    newsArticle(
      "ferry",
      "Ferry timetable changes",
      "The island ferry will sail every two hours from December, the harbor office said.",
      { publishedAt: "2026-11-26", site: "Island Times", url: "https://island.example.net/ferry" },
    ),
  ];
  for (const a of articles) env.corpus.store.upsertArticle(a);
}, 30_000);
afterAll(async () => {
  await env?.stop();
});

describe("follow-ups in a thread", () => {
  it("the Follow up button opens a thread on the answer; a message there, with no mention, keeps the topic", async () => {
    const { token, body } = await ask("what did the council approve for the northern harbor?");
    const buttons = (body.components ?? []).flatMap((r) => r.components);
    expect(buttons.map((b) => b.label)).toContain("Follow up");
    const answer = fake.original(token);
    expect(answer).toBeTruthy();

    const press = fake.button("ask:followup", answer ?? {});
    const started = await fake.waitFor(
      (r) => r.method === "POST" && r.path === `/channels/${fake.channelId}/messages/${answer?.id}/threads`,
    );
    expect(bodyOf(started).name).toBe("what did the council approve for the northern harbor?");
    const threadId = String(answer?.id);
    expect(fake.threads.has(threadId)).toBe(true);
    const pointer = bodyOf(
      await fake.waitFor(
        (r) => r.method === "POST" && r.path === `/interactions/${press.id}/${press.token}/callback`,
      ),
    );
    expect((pointer.data?.flags ?? 0) & 64).toBe(64);
    expect(text(pointer)).toContain(`<#${threadId}>`);
    const intro = await fake.waitFor(
      (r) => r.method === "POST" && r.path === `/channels/${threadId}/messages`,
    );
    expect(text(bodyOf(intro))).toMatch(/every message in this thread is answered/);

    // Alone, "how long is the wait?" is as much about the clinic as the harbor; in this thread it is the harbor's.
    const asked = fake.message("how long is the wait?", { channelId: threadId });
    const reply = await replyTo(asked, 10_000);
    expect(reply?.path).toBe(`/channels/${threadId}/messages`);
    expect(text(bodyOf(reply ?? undefined))).toContain("six hours");
    expect(text(bodyOf(reply ?? undefined))).not.toContain("four hours");

    // A second press finds the thread already there (Discord refuses a second one on the same message).
    const again = fake.button("ask:followup", answer ?? {});
    const second = bodyOf(
      await fake.waitFor(
        (r) => r.method === "POST" && r.path === `/interactions/${again.id}/${again.token}/callback`,
      ),
    );
    expect(text(second)).toContain(`<#${threadId}>`);
    expect(fake.threads.size).toBe(1);
  });

  it("a message in a thread the bot did not open, without a mention, is not answered", async () => {
    const other = "1300000000000000099";
    // A thread that exists, but that no "Follow up" opened.
    fake.startThread(other, fake.channelId, "chatter");
    await new Promise((r) => setTimeout(r, 100));
    const before = fake.requests.length;
    const id = fake.message("how long is the wait?", { channelId: other });
    expect(await replyTo(id)).toBeNull();
    expect(fake.after(before, (r) => r.method === "POST")).toHaveLength(0);
  });

  it("an answer too old to follow up says so, privately", async () => {
    const press = fake.button("ask:followup", { id: "1999999999999999999", channel_id: fake.channelId });
    const reply = bodyOf(
      await fake.waitFor(
        (r) => r.method === "POST" && r.path === `/interactions/${press.id}/${press.token}/callback`,
      ),
    );
    expect((reply.data?.flags ?? 0) & 64).toBe(64);
    expect(text(reply)).toMatch(/no longer follow it up/);
  });
});

describe("/settings", () => {
  const settings = (
    sub: string,
    options: { name: string; type: number; value: unknown }[] = [],
    permissions = MANAGE_GUILD,
  ) => subcommand(fake, "settings", sub, options, { permissions });

  it("only server managers change settings", async () => {
    expect(
      (await settings("timezone", [{ name: "zone", type: 3, value: "Asia/Tokyo" }], "0")).content,
    ).toMatch(/Manage Server/);
  });

  it("a time zone: 'yesterday' is counted in it, and a zone that does not exist is refused", async () => {
    const utc = await ask("what did the harbor master say yesterday?");
    // 20:00 UTC on 26 November: yesterday is the 25th in UTC…
    expect(text(utc.body)).toContain("From articles dated yesterday (25 November 2026)");
    expect((await settings("timezone", [{ name: "zone", type: 3, value: "Mars/Olympus" }])).content).toMatch(
      /not a time zone I know.*Nothing was changed/,
    );
    const set = await settings("timezone", [{ name: "zone", type: 3, value: "asia/tokyo" }]);
    expect(set.content).toBe("Time zone set to Asia/Tokyo (it is 2026-11-27 05:00 there).");
    // …and the 26th in Tokyo, where it is already the 27th.
    const tokyo = await ask("how long did patients wait at the downtown clinic yesterday?");
    expect(text(tokyo.body)).toContain("yesterday (26 November 2026)");
    expect(text(tokyo.body)).toContain("four hours");
    await settings("timezone", [{ name: "zone", type: 3, value: "UTC" }]);
  });

  it("mentions only in listed channels: elsewhere a mention is ignored and /ask answers privately", async () => {
    const set = await settings("mentions", [{ name: "where", type: 3, value: "listed" }]);
    expect(set.content).toMatch(/only in the channels listed below.*No channel is listed yet/);
    const ignored = fake.message(`<@${fake.applicationId}> how long do ships wait for the tide?`, {
      mentions: [fake.applicationId],
    });
    expect(await replyTo(ignored)).toBeNull();

    const { token } = fake.slash("ask", [
      { name: "question", type: 3, value: "how long do ships wait for the tide?" },
    ]);
    const deferred = await fake.waitFor((r) => r.method === "POST" && r.path.endsWith(`/${token}/callback`));
    expect(((deferred.body as { data?: { flags?: number } }).data?.flags ?? 0) & 64).toBe(64);

    const listed = await settings("channel", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "answer-mentions", type: 5, value: true },
    ]);
    expect(listed.content).toMatch(/mentions are answered here/);
    const answered = fake.message(`<@${fake.applicationId}> how long do ships wait for the tide?`, {
      mentions: [fake.applicationId],
    });
    expect(text(bodyOf((await replyTo(answered, 10_000)) ?? undefined))).toContain("six hours");

    const shown = await settings("show");
    expect(shown.content).toMatch(/Mentions\*\* are answered only in the channels listed below/);
    expect(shown.content).toContain(`<#${fake.channelId}>: mentions answered`);
  });

  it("threads only: a mention in the channel is ignored, one in a thread is answered", async () => {
    await settings("mentions", [{ name: "where", type: 3, value: "threads" }]);
    const inChannel = fake.message(`<@${fake.applicationId}> how long do ships wait for the tide?`, {
      mentions: [fake.applicationId],
    });
    expect(await replyTo(inChannel)).toBeNull();
    const [threadId] = [...fake.threads.keys()];
    const inThread = fake.message(`<@${fake.applicationId}> how often will the island ferry sail?`, {
      mentions: [fake.applicationId],
      channelId: threadId,
    });
    expect(text(bodyOf((await replyTo(inThread, 10_000)) ?? undefined))).toContain("every two hours");
    await settings("mentions", [{ name: "where", type: 3, value: "all" }]);
  });

  it("a channel's source: its answers quote only that site, unless /ask names another", async () => {
    const set = await settings("channel", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "source", type: 3, value: "Health Wire" },
    ]);
    expect(set.content).toMatch(/answers quote only Health Wire/);
    const both = "how many hours do patients and ships wait?";
    const onlyHealth = await ask(both);
    expect(text(onlyHealth.body)).toContain("four hours");
    expect(text(onlyHealth.body)).not.toContain("six hours");
    // The same question asked with another source named wins over the channel's.
    const { token } = fake.slash("ask", [
      { name: "question", type: 3, value: both },
      { name: "source", type: 3, value: "Example News" },
    ]);
    const named = await fake.waitFor(
      (r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
    );
    expect(text(bodyOf(named))).toContain("six hours");
    expect(text(bodyOf(named))).not.toContain("four hours");
    await settings("channel", [
      { name: "channel", type: 7, value: fake.channelId },
      { name: "source", type: 3, value: "any" },
    ]);
    const everySource = text((await ask(both)).body);
    expect(everySource).toContain("six hours");
    expect(everySource).toContain("four hours");
  });
});

describe("/search with dates and a source", () => {
  /** Run /search with these options and return its reply as text. */
  async function searchWith(options: { name: string; type: number; value: unknown }[]): Promise<string> {
    const { token } = fake.slash("search", options);
    const edit = await fake.waitFor(
      (r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
      15_000,
    );
    return text(bodyOf(edit));
  }

  it("keeps to the days and the site asked for, and says so under the results", async () => {
    const found = await searchWith([
      { name: "query", type: 3, value: "wait hours" },
      { name: "since", type: 3, value: "2026-11-26" },
    ]);
    expect(found).toContain("four hours");
    expect(found).not.toContain("six hours");
    expect(found).toContain("dated since 26 November 2026");

    const site = await searchWith([
      { name: "query", type: 3, value: "harbor" },
      { name: "source", type: 3, value: "Island Times" },
    ]);
    expect(site).toContain("island ferry");
    expect(site).not.toContain("dredging");
    expect(site).toContain("from Island Times");

    const refused = await searchWith([
      { name: "query", type: 3, value: "harbor" },
      { name: "until", type: 3, value: "banana" },
    ]);
    expect(refused).toContain("is not a date I can read");
  });
});
