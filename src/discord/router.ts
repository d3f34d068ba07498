import { randomBytes } from "node:crypto";
import {
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  type RepliableInteraction,
} from "discord.js";
import type { Limit } from "../state/limits.js";
import type { BotDeps, Command } from "./command.js";
import { renderNotice } from "./render.js";

/** A short id users can quote and operators can find in the logs. */
export function errorId(): string {
  return randomBytes(4).toString("hex");
}

/** The apology an error becomes. */
export function apology(id: string): string {
  return `Sorry, something went wrong while answering. Please try again in a moment. (error id \`${id}\`)`;
}

function where(interaction: Interaction) {
  return { guild: interaction.guildId ?? "dm", channel: interaction.channelId, user: interaction.user.id };
}

async function sendApology(interaction: RepliableInteraction, id: string): Promise<void> {
  const body = { ...renderNotice(apology(id)), flags: MessageFlags.Ephemeral as const };
  if (interaction.deferred || interaction.replied) {
    try {
      await interaction.editReply(renderNotice(apology(id)));
      return;
    } catch {
      // The edit itself may be what failed: a follow-up is a separate route.
    }
    await interaction.followUp(body);
  } else {
    await interaction.reply(body);
  }
}

/** One place that routes every interaction, defers in time, and turns errors into an apology with an id. */
export function createInteractionRouter(
  commands: ReadonlyMap<string, Command>,
  deps: BotDeps,
  cooldown: Limit,
) {
  async function chatInput(interaction: ChatInputCommandInteraction): Promise<void> {
    const command = commands.get(interaction.commandName);
    if (!command) {
      await interaction.reply({
        ...renderNotice(
          `I don't know the command \`/${interaction.commandName}\`: it may have been removed. Try \`/help\`.`,
        ),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (command.cooldown && !(await withinCooldown(interaction))) return;
    // Defer first: Discord gives 3 seconds for the first response, and searching may take longer on a big corpus.
    const ephemeral = await command.ephemeral?.(interaction, deps);
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    await command.execute?.(interaction, deps);
  }

  async function messageMenu(interaction: MessageContextMenuCommandInteraction): Promise<void> {
    const command = commands.get(interaction.commandName);
    if (!command?.menu) {
      await interaction.reply({
        ...renderNotice("That menu item no longer does anything."),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (!(await withinCooldown(interaction))) return;
    await interaction.deferReply();
    await command.menu(interaction, deps);
  }

  /** Count a question against its asker's cooldown; over it, say when to try again (privately) and refuse. */
  async function withinCooldown(interaction: RepliableInteraction): Promise<boolean> {
    const { allowed, retryAfter } = await cooldown.take(interaction.user.id);
    if (allowed) return true;
    await interaction.reply({
      ...renderNotice(`You're asking quickly: try again in ${retryAfter} s.`),
      flags: MessageFlags.Ephemeral,
    });
    return false;
  }

  return async function route(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const context = where(interaction);
    let name = "unknown";
    try {
      if (interaction.isChatInputCommand()) {
        name = `/${interaction.commandName}`;
        await chatInput(interaction);
      } else if (interaction.isMessageContextMenuCommand()) {
        name = `menu:${interaction.commandName}`;
        await messageMenu(interaction);
      } else if (interaction.isAutocomplete()) {
        name = `autocomplete:/${interaction.commandName}`;
        const command = commands.get(interaction.commandName);
        await (command?.autocomplete ? command.autocomplete(interaction, deps) : interaction.respond([]));
      } else if (interaction.isModalSubmit() || interaction.isButton()) {
        // Buttons and forms are routed by the command their custom id starts with ("search:…", "feedback:…").
        const prefix = interaction.customId.split(":")[0] ?? "";
        const command = commands.get(prefix);
        const form = interaction.isModalSubmit();
        name = `${form ? "modal" : "button"}:${prefix}`;
        if (form && command?.modal) await command.modal(interaction, deps);
        else if (interaction.isButton() && command?.button) await command.button(interaction, deps);
        else
          await interaction.reply({
            ...renderNotice(`That ${form ? "form" : "button"} no longer does anything.`),
            flags: MessageFlags.Ephemeral,
          });
      } else {
        return;
      }
      deps.log.info(
        { ...context, command: name, ms: Math.round(performance.now() - started) },
        "interaction answered",
      );
    } catch (error) {
      const id = errorId();
      deps.log.error(
        { ...context, command: name, errorId: id, err: error, ms: Math.round(performance.now() - started) },
        "interaction failed",
      );
      if (interaction.isRepliable()) {
        await sendApology(interaction, id).catch((e: unknown) =>
          deps.log.error({ ...context, errorId: id, err: e }, "could not send the apology either"),
        );
      }
    }
  };
}
