import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { type BotProcess, startBot } from "./fake-discord/bot-process.js";
import { TOKEN } from "./fake-discord/in-process.js";
import { FakeDiscord, type RecordedRequest } from "./fake-discord/server.js";
import { CORPUS, tempDir } from "./helpers.js";

// The README's Discord path, word for word: `cp .env.example .env`, fill in DISCORD_TOKEN and DISCORD_CLIENT_ID,
// `npm run deploy-commands`, `npm start`, then /ask in Discord (here a fake Discord the real client talks to).

const ROOT = path.resolve(import.meta.dirname, "..");
let fake: FakeDiscord | undefined;
let bot: BotProcess | undefined;
const tmp = tempDir();

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  tmp.cleanup();
});

describe("a newcomer following the README", () => {
  it("reaches a bot that answers /ask, with .env made from .env.example", async () => {
    fake = new FakeDiscord();
    await fake.start();
    const data = path.join(tmp.dir, "data");
    mkdirSync(data);
    cpSync(CORPUS, data, { recursive: true });
    // `cp .env.example .env`, then the two values the README says to fill in (and, for the test, where Discord is
    // and where the files go).
    const filled = readFileSync(path.join(ROOT, ".env.example"), "utf8")
      .replace(/^DISCORD_TOKEN=.*$/m, `DISCORD_TOKEN=${TOKEN}`)
      .replace(/^DISCORD_CLIENT_ID=.*$/m, `DISCORD_CLIENT_ID=${fake.applicationId}`)
      .replace(/^DISCORD_API_URL=.*$/m, `DISCORD_API_URL=${fake.apiUrl}`)
      .replace(/^INDEX_PATH=.*$/m, `INDEX_PATH=${path.join(tmp.dir, "index.sqlite")}`)
      .replace(/^DATA_DIR=.*$/m, `DATA_DIR=${data}`);
    for (const name of ["DISCORD_TOKEN", "DISCORD_CLIENT_ID", "DISCORD_API_URL", "INDEX_PATH", "DATA_DIR"])
      expect(filled, `.env.example lists ${name}`).toMatch(new RegExp(`^${name}=.+$`, "m"));
    const envFile = path.join(tmp.dir, ".env");
    writeFileSync(envFile, filled);

    // npm run deploy-commands
    const out: string[] = [];
    const deployed = await runCli(
      ["deploy-commands"],
      { out: (t) => out.push(t), err: () => {} },
      dotenv.parse(filled),
    );
    expect(deployed).toBe(0);
    expect(out.join("\n")).toMatch(/Registered 8 global command\(s\)/);

    // npm start
    bot = startBot({ DOTENV_CONFIG_PATH: envFile });
    await Promise.race([
      fake.ready,
      bot.exited.then((code) => {
        throw new Error(`bot exited (${code}): ${bot?.stderr()}`);
      }),
    ]);

    // /ask in Discord
    const { token } = fake.slash("ask", [
      { name: "question", type: 3, value: "what did the vice minister say about wastewater?" },
    ]);
    const edit = await fake.waitFor(
      (r: RecordedRequest) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
      20_000,
    );
    const embeds = (edit.body as { embeds?: { description?: string }[] }).embeds ?? [];
    expect(embeds[0]?.description).toContain("high-chlorine wastewater discharge");
  }, 60_000);
});
