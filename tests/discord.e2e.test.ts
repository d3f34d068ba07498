import { cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli.js";
import { type BotProcess, startBot } from "./fake-discord/bot-process.js";
import { FakeDiscord, type RecordedRequest } from "./fake-discord/server.js";
import { botEnv, CORPUS, FIXTURES, tempDir } from "./helpers.js";

const TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.abcdefghijklmnopqrstuvwxyz0123";

type Embed = {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
};
type Body = {
  type?: number;
  content?: string;
  embeds?: Embed[];
  components?: { components: { label?: string; url?: string; custom_id?: string; disabled?: boolean }[] }[];
  allowed_mentions?: { parse?: string[] };
  flags?: number;
  data?: { flags?: number; content?: string };
  message_reference?: { message_id: string };
};

const body = (r: RecordedRequest) => (r.body ?? {}) as Body;
const isCallback = (token: string) => (r: RecordedRequest) =>
  r.method === "POST" && r.path.includes(`/${token}/callback`);
const isEdit = (token: string) => (r: RecordedRequest) =>
  r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`);

let fake: FakeDiscord;
let bot: BotProcess;
let cleanup: () => void;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  dataDir = path.join(tmp.dir, "data");
  mkdirSync(dataDir);
  cpSync(CORPUS, dataDir, { recursive: true });
  cpSync(path.join(FIXTURES, "discord"), dataDir, { recursive: true });
  fake = new FakeDiscord();
  await fake.start();
  env = {
    DISCORD_TOKEN: TOKEN,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    INDEX_PATH: path.join(tmp.dir, "index.sqlite"),
    DATA_DIR: dataDir,
    COOLDOWN_QUESTIONS: "3",
    COOLDOWN_SECONDS: "60",
    // Five quotes of up to 900 characters each: more than an embed's description holds.
    MAX_QUOTES: "5",
    LOG_LEVEL: "info",
  };
  bot = startBot(env);
  await Promise.race([
    fake.ready,
    bot.exited.then((code) => {
      throw new Error(`bot exited (${code}): ${bot.stderr()}`);
    }),
  ]);
}, 60_000);

afterAll(async () => {
  if (process.env.DEBUG_E2E) console.log(JSON.stringify(bot?.logs(), null, 1), bot?.stderr());
  await bot?.stop();
  await fake?.stop();
  cleanup?.();
});

let user = 1400000000000000100n;
/** A fresh user id per test, so the cooldown only bites where a test wants it. */
const nextUser = () => String(++user);

async function askAndGetEdit(question: string, extra: { private?: boolean } = {}) {
  const options = [{ name: "question", type: 3, value: question }];
  if (extra.private) options.push({ name: "private", type: 5, value: true as unknown as string });
  const { token } = fake.slash("ask", options, { userId: nextUser() });
  const callback = await fake.waitFor(isCallback(token));
  const edit = await fake.waitFor(isEdit(token));
  return { callback: body(callback), edit: body(edit) };
}

describe("the bot against a fake Discord", () => {
  it("/ask defers, then edits in the verbatim quote with a text-fragment link and no mentions", async () => {
    const { callback, edit } = await askAndGetEdit("what did the vice minister say about wastewater?");
    expect(callback.type).toBe(5);
    expect((callback.data?.flags ?? 0) & 64).toBe(0);
    const description = edit.embeds?.[0]?.description ?? "";
    expect(description).toContain("high-chlorine wastewater discharge");
    expect(description).toMatch(/^> …second, adhere to/);
    expect(description).toMatch(
      /\[Deputy Minister of the Ministry.*Global REEs Venture.*2018-09-10 \(\d+ years old\)\]\(https:\/\/www\.globalreesventure\.com\/.+#:~:text=/,
    );
    expect(edit.allowed_mentions?.parse).toEqual([]);
    const buttons = edit.components?.[0]?.components ?? [];
    expect(buttons[0]?.url).toContain("#:~:text=");
  });

  it("/ask source: suggests the corpus's sites as you type, and keeps the answer to the one chosen", async () => {
    const { id, token } = fake.slash(
      "ask",
      [
        { name: "question", type: 3, value: "harbor" },
        { name: "source", type: 3, value: "coast", focused: true },
      ],
      { userId: nextUser(), interactionType: 4 },
    );
    const suggestion = await fake.waitFor(
      (r) => r.method === "POST" && r.path === `/interactions/${id}/${token}/callback`,
    );
    const data = suggestion.body as { type?: number; data?: { choices?: { name: string; value: string }[] } };
    expect(data.type).toBe(8);
    expect(data.data?.choices?.map((c) => c.value)).toEqual(["Coastal Times"]);

    const options = [
      { name: "question", type: 3, value: "what did the vice minister say about wastewater?" },
      { name: "source", type: 3, value: "Coastal Times" },
    ];
    const asked = fake.slash("ask", options, { userId: nextUser() });
    const edit = body(await fake.waitFor(isEdit(asked.token)));
    expect(edit.embeds?.[0]?.description).toMatch(/Nothing from Coastal Times answers that/);
    const harbor = fake.slash(
      "ask",
      [
        { name: "question", type: 3, value: "how long do cargo ships wait for the tide?" },
        { name: "source", type: 3, value: "Coastal Times" },
      ],
      { userId: nextUser() },
    );
    const answered = body(await fake.waitFor(isEdit(harbor.token)));
    expect(answered.embeds?.[0]?.description).toMatch(/Quoting only Coastal Times\./);
    expect(answered.embeds?.[0]?.description).toContain("six hours");
  });

  it("'Ask Verbatim about this' on a message answers its text, and a bare news link by its article", async () => {
    const asked = fake.messageMenu(
      "Ask Verbatim about this",
      "hey, how long do cargo ships wait for the tide?",
      nextUser(),
    );
    const answer = body(await fake.waitFor(isEdit(asked.token)));
    expect(answer.embeds?.[0]?.description).toContain("six hours");
    const link = fake.messageMenu(
      "Ask Verbatim about this",
      "https://coastal.example.org/news/harbor-dredging-approved?utm_source=chat",
      nextUser(),
    );
    expect(body(await fake.waitFor(isEdit(link.token))).content).toMatch(
      /^\*\*City council approves harbor dredging plan\*\* — Coastal Times/,
    );
    const unknown = fake.messageMenu(
      "Ask Verbatim about this",
      "https://elsewhere.example.net/story",
      nextUser(),
    );
    expect(body(await fake.waitFor(isEdit(unknown.token))).content).toMatch(/not in the corpus yet/);
  });

  it("/ask private:true answers ephemerally", async () => {
    const { callback } = await askAndGetEdit("harbor dredging", { private: true });
    expect(callback.type).toBe(5);
    expect((callback.data?.flags ?? 0) & 64).toBe(64);
  });

  it("/ask with nothing relevant explains instead of quoting", async () => {
    const { edit } = await askAndGetEdit("who won the chess olympiad in budapest?");
    expect(edit.embeds?.[0]?.description).toMatch(/found nothing in the corpus/);
    expect(edit.components ?? []).toEqual([]);
  });

  it("/search pages five passages at a time with Previous/Next buttons that page", async () => {
    const { token } = fake.slash(
      "search",
      [{ name: "query", type: 3, value: "harbor rare earth lithium apple train council park glacier" }],
      { userId: nextUser() },
    );
    const first = body(await fake.waitFor(isEdit(token)));
    expect(first.embeds?.[0]?.fields).toHaveLength(5);
    expect(first.embeds?.[0]?.footer?.text).toMatch(/^Page 1 of \d/);
    const [prev, next] = first.components?.[0]?.components ?? [];
    expect(prev?.disabled).toBe(true);
    expect(next?.custom_id).toMatch(/^search:[0-9a-f]+:1$/);

    const press = fake.button(next?.custom_id ?? "", {
      id: "1",
      channel_id: fake.channelId,
      author: fake.botUser,
      content: "",
      embeds: [],
      components: [],
      timestamp: new Date().toISOString(),
      type: 20,
    });
    const update = await fake.waitFor(isCallback(press.token));
    expect(body(update).type).toBe(6);
    const second = body(await fake.waitFor(isEdit(press.token)));
    expect(second.embeds?.[0]?.footer?.text).toMatch(/^Page 2 of/);
    expect(second.embeds?.[0]?.fields?.[0]?.name).toMatch(/^6\. /);
  });

  it("/help shows the commands and what the corpus holds", async () => {
    const { token } = fake.slash("help", [], { userId: nextUser() });
    const callback = body(await fake.waitFor(isCallback(token)));
    expect((callback.data?.flags ?? 0) & 64).toBe(64);
    const edit = body(await fake.waitFor(isEdit(token)));
    const fields = edit.embeds?.[0]?.fields ?? [];
    expect(edit.embeds?.[0]?.description).toContain("/ask");
    expect(fields.find((f) => f.name === "Articles")?.value).toBe("12");
  });

  it("answers a direct message in the DM, and a mention as a reply", async () => {
    const since = fake.requests.length;
    const dmId = fake.message("what did the vice minister say about wastewater?", {
      dm: true,
      authorId: nextUser(),
    });
    const dm = await fake.waitFor(
      (r) => r.method === "POST" && r.path === "/channels/1500000000000000002/messages",
      10_000,
      since,
    );
    expect(body(dm).message_reference?.message_id).toBe(dmId);
    expect(body(dm).embeds?.[0]?.description).toContain("high-chlorine wastewater discharge");
    expect(body(dm).allowed_mentions?.parse).toEqual([]);

    const mentionId = fake.message(`<@${fake.applicationId}> how long do cargo ships wait for the tide?`, {
      mentions: [fake.applicationId],
      authorId: nextUser(),
    });
    const reply = await fake.waitFor(
      (r) =>
        r.method === "POST" &&
        r.path === `/channels/${fake.channelId}/messages` &&
        body(r).message_reference?.message_id === mentionId,
      10_000,
      since,
    );
    expect(body(reply).embeds?.[0]?.description).toContain("wait up to six hours");
  });

  it("a reply to an answer follows it up, the earlier question's topic carried over, without a mention", async () => {
    const since = fake.requests.length;
    const user = nextUser();
    const first = fake.message(
      `<@${fake.applicationId}> what did harbor master Jonas Berg say about cargo ships?`,
      { mentions: [fake.applicationId], authorId: user },
    );
    const isReplyTo = (id: string) => (r: RecordedRequest) =>
      r.method === "POST" &&
      r.path === `/channels/${fake.channelId}/messages` &&
      body(r).message_reference?.message_id === id;
    await fake.waitFor(isReplyTo(first), 10_000, since);
    // The bot's answer, as Discord stored it: the follow-up replies to it.
    const answer = (fake.channelMessages.get(fake.channelId) ?? []).at(-1) as { id: string };
    const followUp = fake.message("and how long do they wait?", { authorId: user, replyTo: answer.id });
    const reply = await fake.waitFor(isReplyTo(followUp), 10_000, since);
    expect(body(reply).embeds?.[0]?.description).toContain("wait up to six hours");
    // The same words, not as a reply, are not about the harbor: nothing answers them.
    const alone = fake.message(`<@${fake.applicationId}> and how long do they wait?`, {
      mentions: [fake.applicationId],
      authorId: nextUser(),
    });
    const unanswered = await fake.waitFor(isReplyTo(alone), 10_000, since);
    expect(body(unanswered).embeds?.[0]?.description).toMatch(/I found nothing in the corpus/);
  });

  it("without the message content intent, a reply with its ping off arrives empty and is left alone", async () => {
    const since = fake.requests.length;
    const user = nextUser();
    const first = fake.message(`<@${fake.applicationId}> what did harbor master Jonas Berg say?`, {
      mentions: [fake.applicationId],
      authorId: user,
    });
    await fake.waitFor(
      (r) => r.method === "POST" && body(r).message_reference?.message_id === first,
      10_000,
      since,
    );
    const answer = (fake.channelMessages.get(fake.channelId) ?? []).at(-1) as { id: string };
    const after = fake.requests.length;
    fake.message("and how long do they wait?", { authorId: user, replyTo: answer.id, ping: false });
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.after(after, (r) => r.method === "POST")).toEqual([]);
  });

  it("ignores other bots and messages that do not mention it", async () => {
    const since = fake.requests.length;
    fake.message(`<@${fake.applicationId}> what about wastewater?`, {
      bot: true,
      mentions: [fake.applicationId],
    });
    fake.message("what about wastewater?", { authorId: nextUser() });
    fake.message("@everyone what about wastewater?", { authorId: nextUser(), everyone: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.after(since, (r) => r.method === "POST" && r.path.includes("/messages"))).toEqual([]);
  });

  it("pings nobody and escapes Markdown from an article with @everyone, mentions and markup", async () => {
    const { edit } = await askAndGetEdit("what did the mayor announce about the riverside park?");
    const description = edit.embeds?.[0]?.description ?? "";
    expect(edit.allowed_mentions?.parse).toEqual([]);
    expect(description).toContain("@\u200beveryone");
    expect(description).toContain("@\u200bhere");
    expect(description).not.toMatch(/<@\d/);
    expect(description).toContain("<\\@123456789012345678>");
    expect(description).toContain("\\*\\*riverside park\\*\\*");
    expect(description).toContain("\\_gardens\\_");
    expect(description).toContain("\\~\\~fence\\~\\~");
    expect(description).toContain("\\|\\|secret\\|\\|");
    expect(description).toContain("\\`playground\\`");
    const title = edit.embeds?.[0]?.title ?? "";
    expect(title).toBe("what did the mayor announce about the riverside park?");
  });

  it("keeps a long answer within Discord's limits, trimmed with an ellipsis", async () => {
    const { edit } = await askAndGetEdit(
      "what did scientists record about the glacier retreating along the valley?",
    );
    const embed = edit.embeds?.[0];
    const description = embed?.description ?? "";
    expect(description.length).toBeLessThanOrEqual(4096);
    const total = (embed?.title?.length ?? 0) + description.length + (embed?.footer?.text.length ?? 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(description).toContain("…");
    expect(description).toContain("**Sources**");
  });

  it("limits each user's questions, with an ephemeral 'try again'", async () => {
    const userId = nextUser();
    const tokens = [1, 2, 3, 4].map(
      () => fake.slash("ask", [{ name: "question", type: 3, value: "rare earth" }], { userId }).token,
    );
    const last = body(await fake.waitFor(isCallback(tokens[3] ?? "")));
    expect(last.type).toBe(4);
    expect(last.data?.flags).toBe(64);
    expect(last.data?.content).toMatch(/try again in \d+ s/);
  });

  it("answers an unknown command politely", async () => {
    const { token } = fake.slash("frobnicate", [], { userId: nextUser() });
    const reply = body(await fake.waitFor(isCallback(token)));
    expect(reply.type).toBe(4);
    expect(reply.data?.content).toMatch(/I don't know the command `\/frobnicate`/);
  });

  it("logs a failed edit with an error id, apologises, and keeps serving", async () => {
    const { token } = fake.slash("ask", [{ name: "question", type: 3, value: "harbor dredging cost" }], {
      userId: nextUser(),
    });
    // discord.js retries a 5xx three times; the fourth failure reaches the handler. Only this interaction's edits
    // fail: an earlier test's edits may still be in flight on a busy machine.
    fake.fail("PATCH", new RegExp(`/${token}/messages/@original$`), 500, 4);
    const apologyEdit = await fake.waitFor(
      (r) => isEdit(token)(r) && /error id/.test(body(r).content ?? ""),
      20_000,
    );
    const id = /error id `([0-9a-f]+)`/.exec(body(apologyEdit).content ?? "")?.[1];
    expect(id).toBeTruthy();
    await expect
      .poll(() => bot.logs().find((l) => l.errorId === id && l.msg === "interaction failed"))
      .toBeTruthy();

    const { edit } = await askAndGetEdit("what did the vice minister say about wastewater?");
    expect(edit.embeds?.[0]?.description).toContain("wastewater");
  }, 30_000);

  it("honours a 429 on the edit: waits, retries, and the answer arrives", async () => {
    const { token } = fake.slash("ask", [{ name: "question", type: 3, value: "harbor dredging cost" }], {
      userId: nextUser(),
    });
    fake.fail("PATCH", new RegExp(`/${token}/messages/@original$`), 429, 1);
    const edits = () =>
      fake.requests.filter((r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`));
    await expect.poll(() => edits().length, { timeout: 10_000 }).toBe(2);
    const [limited, retried] = edits();
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(250);
    expect(body(retried as RecordedRequest).embeds?.[0]?.description).toContain("14 million euros");
    // The log says what happened: Discord answered 429, not discord.js waiting on a bucket it knew was empty.
    await expect
      .poll(() => bot.logs().find((l) => String(l.msg).startsWith("Discord answered 429")), { timeout: 5000 })
      .toMatchObject({ method: "PATCH" });
  });

  it("logs each request with its guild, channel, command and latency, and never the token", async () => {
    // Its own request, so the test passes alone as well as after the others.
    const before = bot.logs().filter((l) => l.msg === "interaction answered").length;
    await askAndGetEdit("how long do cargo ships wait for the tide?");
    const answered = await vi.waitFor(() => {
      const all = bot.logs().filter((l) => l.msg === "interaction answered");
      if (all.length <= before) throw new Error("not logged yet");
      return all;
    });
    const mine = answered[answered.length - 1];
    expect(mine).toMatchObject({ guild: fake.guildId, channel: fake.channelId, command: "/ask" });
    expect(typeof mine?.ms).toBe("number");
    expect(JSON.stringify(bot.logs())).not.toContain(TOKEN);
    expect(bot.stderr()).not.toContain(TOKEN);
  });

  it("deploy-commands registers the commands: /ask, /search, /help everywhere, /digest, /corpus, /feedback and /settings for server managers", async () => {
    const since = fake.requests.length;
    const out: string[] = [];
    const code = await runCli(
      ["deploy-commands"],
      { out: (t) => out.push(t), err: (t) => out.push(t) },
      { ...env, DISCORD_GUILD_ID: fake.guildId },
    );
    expect(code).toBe(0);
    const put = await fake.waitFor((r) => r.method === "PUT", 5000, since);
    expect(put.path).toBe(`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`);
    const commands = put.body as unknown as {
      name: string;
      contexts: number[];
      integration_types?: number[];
      default_member_permissions?: string | null;
    }[];
    expect(commands.map((c) => c.name).sort()).toEqual([
      "Ask Verbatim about this",
      "ask",
      "corpus",
      "digest",
      "feedback",
      "help",
      "search",
      "settings",
    ]);
    const managedNames = ["digest", "corpus", "feedback", "settings"];
    for (const c of commands.filter((x) => !managedNames.includes(x.name))) {
      expect(c.contexts).toEqual([0, 1, 2]);
      expect(c.integration_types).toEqual([0, 1]);
    }
    for (const name of managedNames) {
      const managed = commands.find((c) => c.name === name);
      expect(managed?.contexts).toEqual([0]);
      expect(managed?.default_member_permissions).toBe(String(1n << 5n));
    }
    expect(out.join("\n")).toMatch(/Registered 8 command\(s\) in server \d+ \(they appear at once\)/);
  });

  it("deploy-commands --global --clear registers globally and removes the server's copies, saying so", async () => {
    const since = fake.requests.length;
    const out: string[] = [];
    const code = await runCli(
      ["deploy-commands", "--global", "--clear"],
      { out: (t) => out.push(t), err: () => {} },
      { ...env, DISCORD_GUILD_ID: fake.guildId },
    );
    expect(code).toBe(0);
    const puts = fake.after(since, (r) => r.method === "PUT");
    expect(puts.map((p) => [p.path, (p.body as unknown as unknown[]).length])).toEqual([
      [`/applications/${fake.applicationId}/commands`, 8],
      [`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`, 0],
    ]);
    expect(out).toEqual([
      "Registered 8 global command(s) (they may take up to an hour to appear everywhere).",
      `Removed the commands registered in server ${fake.guildId}, so none shows twice.`,
    ]);
  });

  it("deploy-commands says what to fix when the token is refused or Discord cannot be reached, without a trace", async () => {
    fake.fail("PUT", /\/commands$/, 401, 1);
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t) };
    expect(await runCli(["deploy-commands"], io, env)).toBe(1);
    expect(err.at(-1)).toMatch(/^Discord refused DISCORD_TOKEN \(401\): reset the token/);
    const unreachable = { ...env, DISCORD_API_URL: "http://127.0.0.1:9/api" };
    expect(await runCli(["deploy-commands"], io, unreachable)).toBe(1);
    expect(err.at(-1)).toMatch(/^Could not reach Discord at http:\/\/127\.0\.0\.1:9\/api \(ECONNREFUSED\)/);
    expect(err.join("\n")).not.toMatch(/\n\s+at /);
  });

  it("stops cleanly on SIGTERM", async () => {
    const code = await bot.stop();
    expect(code).toBe(0);
    expect(bot.logs().some((l) => l.msg === "stopped")).toBe(true);
  });
});

describe("a connection Discord closes for good", () => {
  for (const [code, advice] of [
    [4004, /token was reset or revoked.*DISCORD_TOKEN/],
    [4014, /intent the Developer Portal has not enabled/],
  ] as const) {
    it(`exits non-zero after close code ${code}, saying what to fix`, async () => {
      const local = new FakeDiscord();
      await local.start();
      try {
        const p = startBot(botEnv(local.apiUrl, { DISCORD_TOKEN: TOKEN, LOG_LEVEL: "info" }));
        await local.ready;
        local.closeGateway(code);
        expect(await p.exited).toBe(1);
        expect(p.stderr()).toMatch(advice);
        expect(p.logs().some((l) => String(l.msg).includes("discord.js reconnects"))).toBe(false);
      } finally {
        await local.stop();
      }
    }, 30_000);
  }
});

describe("start-up without a usable token", () => {
  it("says what to set when DISCORD_TOKEN is missing, with no stack trace", async () => {
    const p = startBot({ INDEX_PATH: path.join(tempDir().dir, "i.sqlite"), DATA_DIR: CORPUS });
    expect(await p.exited).toBe(1);
    expect(p.stderr().trim().split("\n")).toHaveLength(1);
    expect(p.stderr()).toMatch(/DISCORD_TOKEN is not set/);
  });

  it("says the token was refused when Discord answers 401", async () => {
    const local = new FakeDiscord();
    await local.start();
    try {
      local.fail("GET", /^\/gateway\/bot$/, 401, 10);
      const p = startBot(botEnv(local.apiUrl, { DISCORD_TOKEN: TOKEN, LOG_LEVEL: "silent" }));
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toMatch(/Discord refused DISCORD_TOKEN/);
      expect(p.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await local.stop();
    }
  });
});
