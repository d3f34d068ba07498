import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

// The layering of docs/architecture.md ("Boundaries") is enforced by `npm run lint` (biome.json overrides): each
// probe below is a one-line module placed in a room, linted with the project's own configuration.

const ROOT = path.resolve(import.meta.dirname, "..");
const BIOME = path.join(ROOT, "node_modules", ".bin", "biome");
const tmp = tempDir();
copyFileSync(path.join(ROOT, "biome.json"), path.join(tmp.dir, "biome.json"));
afterAll(() => tmp.cleanup());

async function lint(file: string, source: string): Promise<{ ok: boolean; output: string }> {
  const full = path.join(tmp.dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, `${source}\nexport const probe = 1;\n`);
  try {
    await promisify(execFile)(BIOME, ["lint", "--vcs-enabled=false", file], { cwd: tmp.dir });
    return { ok: true, output: "" };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("npm run lint enforces the house plan", () => {
  const crossings: [string, string, RegExp][] = [
    ["src/search/a.ts", 'import "discord.js";', /The pipeline never reaches Discord/],
    ["src/answer/b.ts", 'import "../discord/render.js";', /The pipeline never reaches Discord/],
    ["src/app.ts", 'import "../commands/index.js";', /The pipeline never reaches Discord/],
    ["src/text/c.ts", 'import "../index/store.js";', /src\/text\/ is the bottom room/],
    [
      "src/discord/d.ts",
      'import "../../commands/index.js";',
      /commands\/ imports discord\/, never the reverse/,
    ],
    ["src/main.ts", 'import "discord.js";', /The doors reach Discord only through src\/discord\//],
  ];
  for (const [file, source, message] of crossings) {
    it(`refuses ${source} in ${file}`, async () => {
      const { ok, output } = await lint(file, source);
      expect(ok).toBe(false);
      expect(output).toMatch(/noRestrictedImports/);
      expect(output).toMatch(message);
    });
  }

  it("allows the imports the plan allows", async () => {
    for (const [file, source] of [
      ["src/search/e.ts", 'import "../text/terms.js";'],
      ["src/discord/f.ts", 'import "discord.js";'],
      ["commands/g.ts", 'import "../src/discord/render.js";'],
      ["src/text/h.ts", 'import "./terms.js";'],
    ]) {
      const { ok, output } = await lint(file as string, source as string);
      expect(ok, output).toBe(true);
    }
  });
});
