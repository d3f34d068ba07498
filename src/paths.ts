import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The folder Verbatim is installed in (the one holding its package.json), found from this module's own place, so
 * the default index, state, data and synonyms are the same files whatever folder a command is run from.
 */
export const PROJECT_ROOT: string = (() => {
  let dir = import.meta.dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "verbatim") return dir;
      } catch {
        // An unreadable package.json is not ours: keep looking upwards.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
})();
