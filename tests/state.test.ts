import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCooldown } from "../src/discord/cooldown.js";
import { openState, type State } from "../src/state/state.js";
import { tempDir } from "./helpers.js";

let state: State;
let cleanup: () => void;
let file: string;
beforeEach(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  file = path.join(t.dir, "state.sqlite");
  state = await openState(`sqlite://${file}`);
});
afterEach(async () => {
  await state.close();
  cleanup();
});

describe("state in SQLite through Keyv", () => {
  it("keeps values per namespace, across a reopen", async () => {
    await state.ns("settings").set("guild:1", { digest: true });
    await state.ns("cooldowns").set("guild:1", "other");
    expect(await state.ns("settings").get("guild:1")).toEqual({ digest: true });
    await state.close();
    state = await openState(`sqlite://${file}`);
    expect(await state.ns("settings").get("guild:1")).toEqual({ digest: true });
    expect(await state.ns("cooldowns").get("guild:1")).toBe("other");
  });

  it("expires values after their TTL", async () => {
    await state.ns("cache").set("k", 1, 30);
    expect(await state.ns("cache").get("k")).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(await state.ns("cache").get("k")).toBeUndefined();
  });

  it("clears one namespace only, and iterates its keys", async () => {
    await state.ns("settings").set("a", 1);
    await state.ns("settings").set("b", 2);
    await state.ns("cache").set("a", 3);
    const keys: string[] = [];
    for await (const [key] of state.ns("settings").iterator?.(undefined) ?? []) keys.push(String(key));
    expect(keys.sort()).toEqual(["a", "b"]);
    await state.ns("settings").clear();
    expect(await state.ns("settings").get("a")).toBeUndefined();
    expect(await state.ns("cache").get("a")).toBe(3);
  });

  it("explains an unsupported or uninstalled backend", async () => {
    await expect(openState("mysql://x")).rejects.toThrow(
      /STATE_URL must start with sqlite:\/\/, redis:\/\/ or postgres:\/\//,
    );
    await expect(openState("redis://127.0.0.1:6379")).rejects.toThrow(/npm install @keyv\/redis/);
  });
});

describe("cooldown", () => {
  it("allows N questions per window, then says when to retry", async () => {
    const cd = createCooldown(state.ns("cooldowns"), 2, 30);
    const t = 1_000_000;
    expect((await cd.take("u", t)).allowed).toBe(true);
    expect((await cd.take("u", t + 1000)).allowed).toBe(true);
    expect(await cd.take("u", t + 2000)).toEqual({ allowed: false, retryAfter: 28 });
    expect((await cd.take("other", t + 2000)).allowed).toBe(true);
    expect((await cd.take("u", t + 30_001)).allowed).toBe(true);
  });

  it("holds against a burst of simultaneous questions", async () => {
    const cd = createCooldown(state.ns("cooldowns"), 3, 60);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => cd.take("burst")));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });
});
