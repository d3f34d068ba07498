import { assertCommand, type Command } from "../src/discord/command.js";
import ask from "./ask.js";
import askAbout from "./ask-about.js";
import corpus from "./corpus.js";
import digest from "./digest.js";
import feedback from "./feedback.js";
import help from "./help.js";
import search from "./search.js";
import settings from "./settings.js";

/**
 * Every slash command, checked and keyed by name: the one registry. The doors that build the bot or deploy the
 * commands (main, the CLI, the tests) pass it to src/discord/, which never imports commands/ itself.
 */
export function loadCommands(): Map<string, Command> {
  const modules: [string, unknown][] = [
    ["commands/ask.ts", ask],
    ["commands/search.ts", search],
    ["commands/help.ts", help],
    ["commands/digest.ts", digest],
    ["commands/corpus.ts", corpus],
    ["commands/feedback.ts", feedback],
    ["commands/ask-about.ts", askAbout],
    ["commands/settings.ts", settings],
  ];
  return new Map(
    modules.map(([file, mod]) => {
      const command = assertCommand(mod, file);
      return [command.data.name, command];
    }),
  );
}
