import { REST, Routes } from "discord.js";
import type { Config } from "../config.js";
import { VerbatimError } from "../errors.js";
import type { Command } from "./command.js";
import { discordProblem } from "./token.js";

/** Where to register the commands, and whether to clear the copies in the other place. */
export interface DeployOptions {
  /** Register globally even when DISCORD_GUILD_ID is set. */
  global?: boolean;
  /** Register to this server (overrides DISCORD_GUILD_ID). */
  guild?: string;
  /** Remove the commands from the other scope (global ↔ the server), so none shows twice. */
  clear?: boolean;
}

/** What deploying did, in lines for people. */
export interface DeployResult {
  count: number;
  lines: string[];
}

/**
 * Register the slash commands (bulk overwrite): to one server (`--guild` or DISCORD_GUILD_ID), else globally;
 * with `clear`, remove the other scope's copies (a server's leftovers after going global, or the global ones).
 */
export async function deployCommands(
  config: Readonly<Config>,
  commands: ReadonlyMap<string, Command>,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const { token, clientId, apiUrl } = config.discord;
  const guildId = options.global ? undefined : (options.guild ?? config.discord.guildId);
  const otherGuild = options.guild ?? config.discord.guildId;
  if (!token)
    throw new VerbatimError("CONFIG_INVALID", "DISCORD_TOKEN is not set: put your bot's token in .env.");
  if (!clientId)
    throw new VerbatimError(
      "CONFIG_INVALID",
      "DISCORD_CLIENT_ID is not set: put your application's id in .env.",
    );
  const body = [...commands.values()].map((c) => c.data.toJSON());
  const rest = new REST({ ...(apiUrl ? { api: apiUrl } : {}), retries: 1 }).setToken(token);
  const route = guildId
    ? Routes.applicationGuildCommands(clientId, guildId)
    : Routes.applicationCommands(clientId);
  const lines: string[] = [];
  try {
    await rest.put(route, { body });
    lines.push(
      guildId
        ? `Registered ${body.length} command(s) in server ${guildId} (they appear at once).`
        : `Registered ${body.length} global command(s) (they may take up to an hour to appear everywhere).`,
    );
    if (options.clear) {
      if (guildId) {
        await rest.put(Routes.applicationCommands(clientId), { body: [] });
        lines.push("Removed the global commands, so none shows twice.");
      } else if (otherGuild) {
        await rest.put(Routes.applicationGuildCommands(clientId, otherGuild), { body: [] });
        lines.push(`Removed the commands registered in server ${otherGuild}, so none shows twice.`);
      } else lines.push("Nothing else to clear: name the server with --guild ID to remove its copies.");
    } else if (!guildId && otherGuild)
      lines.push(
        `Server ${otherGuild} may still have its own copies from testing: run with --global --clear to remove them.`,
      );
  } catch (error) {
    const problem = discordProblem(error, apiUrl);
    if (problem) throw new VerbatimError("CONFIG_INVALID", problem, { cause: error });
    throw error;
  }
  return { count: body.length, lines };
}
