import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIApplicationCommandsJSONBody,
} from "discord.js";
import type { Answerer } from "../answer/answerer.js";
import type { Config } from "../config.js";
import type { DigestSender } from "../digest/delivery.js";
import type { DigestScheduler } from "../digest/scheduler.js";
import type { SubscriptionStore } from "../digest/subscriptions.js";
import type { Corpus } from "../index/open.js";
import type { Logger } from "../log.js";
import type { State } from "../state/state.js";
import type { WebDeps } from "../web/ingest.js";

/** Everything a handler may use, passed explicitly (no globals). */
export interface BotDeps {
  corpus: Corpus;
  state: State;
  config: Readonly<Config>;
  log: Logger;
  answerer: Answerer;
  web: WebDeps;
  digests: {
    subscriptions: SubscriptionStore;
    scheduler: DigestScheduler;
    sender: DigestSender;
    clock: () => Date;
  };
}

/** A slash command module: its definition and its handlers (discord.js guide style). */
export interface Command {
  data: { name: string; toJSON(): RESTPostAPIApplicationCommandsJSONBody };
  /** Counts against the per-user question cooldown. */
  cooldown?: boolean;
  /** Whether the deferred reply is ephemeral (decided before any other work, within Discord's 3 s). */
  ephemeral?(interaction: ChatInputCommandInteraction, deps: BotDeps): boolean | Promise<boolean>;
  /** A slash command: runs after the reply was deferred, and must finish with `editReply`. */
  execute?(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void>;
  /** A message context-menu command ("Apps" on a message): also runs after the reply was deferred. */
  menu?(interaction: MessageContextMenuCommandInteraction, deps: BotDeps): Promise<void>;
  /** Buttons whose custom id starts with `<name>:`. */
  button?(interaction: ButtonInteraction, deps: BotDeps): Promise<void>;
  /** Modal forms whose custom id starts with `<name>:`. */
  modal?(interaction: ModalSubmitInteraction, deps: BotDeps): Promise<void>;
  /** Suggestions for an option being typed (it must answer within 3 s, with at most 25 choices). */
  autocomplete?(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void>;
}

/** Check that a loaded module really is a command, so a broken one fails at load with its name. */
export function assertCommand(value: unknown, file: string): Command {
  const c = value as Partial<Command> | undefined;
  if (
    !c ||
    (typeof c.execute !== "function" && typeof c.menu !== "function") ||
    !c.data ||
    typeof c.data.name !== "string" ||
    typeof c.data.toJSON !== "function"
  ) {
    throw new Error(`${file} does not export a command ({ data, execute } or { data, menu })`);
  }
  return c as Command;
}
