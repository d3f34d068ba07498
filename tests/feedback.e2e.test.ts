import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { createFeedbackStore } from "../src/state/feedback.js";
import { type InProcessBot, MANAGE_GUILD, startInProcessBot, subcommand } from "./fake-discord/in-process.js";
import type { FakeDiscord, RecordedRequest } from "./fake-discord/server.js";
import { newsArticle } from "./helpers.js";

let env: InProcessBot;
let fake: FakeDiscord;

type Payload = {
  type?: number;
  content?: string;
  embeds?: { description?: string }[];
  components?: { components: { custom_id?: string; label?: string; url?: string }[] }[];
  data?: { custom_id?: string; flags?: number; embeds?: { description?: string }[]; components?: unknown[] };
};
const bodyOf = (r: RecordedRequest) => (r.body ?? {}) as Payload;
const callback = (id: string, token: string) =>
  fake.waitFor((r) => r.method === "POST" && r.path === `/interactions/${id}/${token}/callback`);

async function ask(question: string): Promise<Payload> {
  const { token } = fake.slash("ask", [{ name: "question", type: 3, value: question }], {
    userId: "1400000000000000061",
  });
  const edit = await fake.waitFor(
    (r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
    15_000,
  );
  return bodyOf(edit);
}
const voteButtons = (p: Payload) =>
  (p.components ?? []).flatMap((row) => row.components).filter((c) => c.custom_id?.startsWith("feedback:"));

beforeAll(async () => {
  env = await startInProcessBot({});
  fake = env.fake;
  env.corpus.store.upsertArticle(
    newsArticle(
      "harbor",
      "Harbor dredging approved",
      "The city council approved dredging the northern harbor channel. Harbor master Jonas Berg said ships wait six hours for the tide.",
    ),
  );
  for (const [id, title, text] of [
    [
      "rail",
      "Rail strike ends",
      "Train drivers returned to work on Monday after the union accepted a pay rise.",
    ],
    [
      "apples",
      "Record apple harvest",
      "Growers in the valley expect a record apple harvest thanks to a mild spring.",
    ],
    ["bridge", "New bridge opens", "The new Fenwick bridge opened to cyclists and pedestrians on Sunday."],
  ])
    env.corpus.store.upsertArticle(newsArticle(id ?? "", title ?? "", text ?? ""));
}, 30_000);
afterAll(async () => {
  await env?.stop();
});

describe("feedback on answers", () => {
  it("👍 and 👎 under an answer, the 👎 asking what was wrong; the report and the export show them", async () => {
    const answer = await ask("how long do ships wait for the tide in the harbor?");
    const buttons = voteButtons(answer);
    expect(buttons.map((b) => b.label)).toEqual(["👍 Helpful", "👎 Not helpful"]);
    const [up, down] = buttons.map((b) => b.custom_id ?? "");

    const upPress = fake.button(up ?? "", { id: "1", embeds: [] }, "1400000000000000071");
    const upReply = bodyOf(await callback(upPress.id, upPress.token));
    expect(upReply.type).toBe(4);
    expect((upReply.data?.flags ?? 0) & 64).toBe(64);
    expect(JSON.stringify(upReply.data)).toContain("noted as helpful");

    const downPress = fake.button(down ?? "", { id: "1", embeds: [] }, "1400000000000000072");
    const form = bodyOf(await callback(downPress.id, downPress.token));
    expect(form.type).toBe(9);
    expect(form.data?.custom_id).toBe(down?.replace(":down:", ":why:"));
    const submitted = fake.modalSubmit(
      form.data?.custom_id ?? "",
      { why: "It quoted the wrong harbor" },
      "1400000000000000072",
    );
    expect(bodyOf(await callback(submitted.id, submitted.token)).type).toBe(4);

    const report = await subcommand(fake, "feedback", "report", [], { permissions: MANAGE_GUILD });
    expect(report.content).toMatch(/👍 1 · 👎 1/);
    expect(report.content).toContain(
      "• 👎 1 👍 1 — how long do ships wait for the tide in the harbor? — “It quoted the wrong harbor”",
    );

    const votes = await createFeedbackStore(env.state.ns("feedback")).all();
    expect(votes.map((v) => [v.vote, v.comment])).toEqual([
      ["up", null],
      ["down", "It quoted the wrong harbor"],
    ]);
    expect(votes[0]?.answer.quotes[0]?.text).toContain("six hours");
  });

  it("a server can turn the buttons off, and only managers may", async () => {
    const refused = await subcommand(fake, "feedback", "off", [], { permissions: "0" });
    expect(refused.content).toMatch(/Manage Server/);
    expect(voteButtons(await ask("how long do ships wait for the tide in the harbor?"))).toHaveLength(2);
    await subcommand(fake, "feedback", "off", [], { permissions: MANAGE_GUILD });
    expect(voteButtons(await ask("how long do ships wait for the tide in the harbor?"))).toHaveLength(0);
    await subcommand(fake, "feedback", "on", [], { permissions: MANAGE_GUILD });
    expect(voteButtons(await ask("how long do ships wait for the tide in the harbor?"))).toHaveLength(2);
  });

  it("an answer that quotes nothing has no buttons", async () => {
    expect(voteButtons(await ask("what did the minister say about lithium batteries?"))).toHaveLength(0);
  });

  it("npm run feedback -- --json exports the votes with what was shown, from the bot's own state", async () => {
    const file = /^sqlite \((.+)\)$/.exec(env.state.describe)?.[1];
    expect(file).toBeTruthy();
    const out: string[] = [];
    const code = await runCli(
      ["feedback", "--json"],
      { out: (t) => out.push(t), err: () => {} },
      {
        STATE_URL: `sqlite://${file}`,
        LOG_LEVEL: "silent",
      },
    );
    expect(code).toBe(0);
    const votes = JSON.parse(out.join("\n")) as {
      vote: string;
      answer: { question: string; quotes: unknown[] };
    }[];
    expect(votes.map((v) => v.vote)).toEqual(["up", "down"]);
    expect(votes[1]?.answer.question).toBe("how long do ships wait for the tide in the harbor?");
    expect(votes[1]?.answer.quotes.length).toBeGreaterThan(0);
  });
});
