import { REST, Routes } from "discord.js";
import type { Config } from "../config.js";
import { VerbatimError } from "../errors.js";
import { loadCommands } from "./commands.js";

/** Register the slash commands (bulk overwrite), to one server when DISCORD_GUILD_ID is set, else globally. */
export async function deployCommands(config: Readonly<Config>): Promise<{ count: number; scope: string }> {
  const { token, clientId, guildId, apiUrl } = config.discord;
  if (!token)
    throw new VerbatimError("CONFIG_INVALID", "DISCORD_TOKEN is not set: put your bot's token in .env.");
  if (!clientId)
    throw new VerbatimError(
      "CONFIG_INVALID",
      "DISCORD_CLIENT_ID is not set: put your application's id in .env.",
    );
  const body = [...loadCommands().values()].map((c) => c.data.toJSON());
  const rest = new REST(apiUrl ? { api: apiUrl } : {}).setToken(token);
  const route = guildId
    ? Routes.applicationGuildCommands(clientId, guildId)
    : Routes.applicationCommands(clientId);
  await rest.put(route, { body });
  return {
    count: body.length,
    scope: guildId ? `server ${guildId}` : "global (may take up to an hour to appear everywhere)",
  };
}
