import path from "node:path";
import { loadCommands } from "../../commands/index.js";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { type Bot, createBot } from "../../src/discord/bot.js";
import type { Corpus } from "../../src/index/open.js";
import { createLogger } from "../../src/log.js";
import type { State } from "../../src/state/state.js";
import { tempDir } from "../helpers.js";
import { FakeDiscord, type RecordedRequest } from "./server.js";

export const TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.abcdefghijklmnopqrstuvwxyz0123";
export const MANAGE_GUILD = String(1n << 5n);

/** The real bot, built in this process (so a test can move its clock), connected to a fake Discord. */
export interface InProcessBot {
  fake: FakeDiscord;
  bot: Bot;
  corpus: Corpus;
  state: State;
  stop(): Promise<void>;
}

/** Start the bot against a fresh fake Discord with the given extra environment. */
export async function startInProcessBot(
  env: Record<string, string>,
  clock?: () => Date,
): Promise<InProcessBot> {
  const tmp = tempDir();
  const fake = new FakeDiscord();
  await fake.start();
  const config = loadConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_URL: fake.apiUrl,
    INDEX_PATH: path.join(tmp.dir, "index.sqlite"),
    DATA_DIR: tmp.dir,
    ...env,
  });
  const app = await createApp(config, createLogger((process.env.TEST_LOG as "silent") ?? "silent"), {
    clock,
  });
  const bot = createBot(app, { commands: loadCommands(), clock, schedule: false });
  await bot.start(TOKEN);
  await fake.ready;
  return {
    fake,
    bot,
    corpus: app.corpus,
    state: app.state,
    async stop() {
      await bot.stop();
      await app.close();
      await fake.stop();
      tmp.cleanup();
    },
  };
}

/** Run a slash command with a subcommand and wait for the edit of its deferred reply. */
export async function subcommand(
  fake: FakeDiscord,
  name: string,
  sub: string,
  options: { name: string; type: number; value: unknown }[] = [],
  extra: { permissions?: string; userId?: string } = {},
): Promise<{ content?: string; embeds?: { title?: string; description?: string }[] }> {
  const { token } = fake.slash(name, [{ name: sub, type: 1, options }], {
    userId: extra.userId ?? "1400000000000000050",
    permissions: extra.permissions ?? MANAGE_GUILD,
    channels: options.filter((o) => o.type === 7).map((o) => String(o.value)),
    roles: options.filter((o) => o.type === 8).map((o) => String(o.value)),
  });
  const edit = await fake.waitFor(
    (r: RecordedRequest) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
    15_000,
  );
  return (edit.body ?? {}) as { content?: string };
}
