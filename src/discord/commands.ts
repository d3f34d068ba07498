import ask from "../../commands/ask.js";
import corpus from "../../commands/corpus.js";
import digest from "../../commands/digest.js";
import help from "../../commands/help.js";
import search from "../../commands/search.js";
import { assertCommand, type Command } from "./command.js";

/** Every slash command, checked and keyed by name. */
export function loadCommands(): Map<string, Command> {
  const modules: [string, unknown][] = [
    ["commands/ask.ts", ask],
    ["commands/search.ts", search],
    ["commands/help.ts", help],
    ["commands/digest.ts", digest],
    ["commands/corpus.ts", corpus],
  ];
  return new Map(
    modules.map(([file, mod]) => {
      const command = assertCommand(mod, file);
      return [command.data.name, command];
    }),
  );
}
