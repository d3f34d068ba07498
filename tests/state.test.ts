import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyState } from "../src/state/copy.js";
import { openState, type State } from "../src/state/state.js";
import { tempDir } from "./helpers.js";

// The same behaviour over every state backend: an SQLite file always; Redis and PostgreSQL when the servers are
// given (`.ci/run` gives the local ones, and fails when it cannot reach them).
const REDIS = process.env.TEST_REDIS_URL;
const POSTGRES = process.env.TEST_DATABASE_URL;
if (!REDIS || !POSTGRES)
  console.info(
    "state over Redis/PostgreSQL skipped: set TEST_REDIS_URL=redis://127.0.0.1:6379 and TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it",
  );

const backends: { name: string; url: (dir: string) => string; enabled: boolean }[] = [
  { name: "SQLite", url: (dir) => `sqlite://${path.join(dir, "state.sqlite")}`, enabled: true },
  { name: "Redis", url: () => REDIS ?? "", enabled: Boolean(REDIS) },
  { name: "PostgreSQL", url: () => POSTGRES ?? "", enabled: Boolean(POSTGRES) },
];

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`state over ${backend.name}`, () => {
    let state: State;
    let url: string;
    let cleanup: () => void;
    // Keys and limit names of this run only, so a shared server's other data is never touched.
    const run = randomBytes(4).toString("hex");
    const key = (k: string) => `test-${run}-${k}`;

    beforeEach(async () => {
      const t = tempDir();
      cleanup = t.cleanup;
      url = backend.url(t.dir);
      state = await openState(url);
    });
    afterEach(async () => {
      for (const ns of ["settings", "cache"] as const)
        for (const k of ["a", "b", "k", "guild"]) await state.ns(ns).delete(key(k));
      await state.close();
      cleanup();
    });

    it("keeps values per namespace, across a reopen", async () => {
      await state.ns("settings").set(key("guild"), { digest: true });
      await state.ns("cache").set(key("guild"), "other");
      await state.close();
      state = await openState(url);
      expect(await state.ns("settings").get(key("guild"))).toEqual({ digest: true });
      expect(await state.ns("cache").get(key("guild"))).toBe("other");
    });

    it("expires values after their TTL", async () => {
      await state.ns("cache").set(key("k"), 1, 1000);
      expect(await state.ns("cache").get(key("k"))).toBe(1);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await state.ns("cache").get(key("k"))).toBeUndefined();
    });

    it("allows N per window, then says when to retry, and again after the window", async () => {
      const limit = state.limits.limit(key("cooldown"), 2, 1);
      expect((await limit.take("u")).allowed).toBe(true);
      expect((await limit.take("u")).allowed).toBe(true);
      expect(await limit.take("u")).toEqual({ allowed: false, retryAfter: 1 });
      expect((await limit.take("other")).allowed).toBe(true);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await limit.take("u")).allowed).toBe(true);
    });

    it("receives a copy of an SQLite state: every namespace, each key with the time it had left", async () => {
      const t = tempDir();
      const source = await openState(`sqlite://${path.join(t.dir, "old-state.sqlite")}`);
      try {
        await source.ns("settings").set(key("guild"), { timezone: "Asia/Tokyo" });
        await source.ns("cache").set(key("a"), "answer", 60_000);
        await source.ns("cache").set(key("b"), "gone", 1);
        await new Promise((r) => setTimeout(r, 10));
        const report = await copyState(source, state);
        expect(report).toMatchObject({ settings: 1, cache: 1, subscriptions: 0 });
        expect(await state.ns("settings").get(key("guild"))).toEqual({ timezone: "Asia/Tokyo" });
        const copied = (await state.ns("cache").get(key("a"), { raw: true })) as
          | { expires?: number }
          | undefined;
        expect(copied?.expires).toBeGreaterThan(Date.now() + 50_000);
        expect(copied?.expires).toBeLessThanOrEqual(Date.now() + 60_000);
        expect(await state.ns("cache").get(key("b"))).toBeUndefined();
      } finally {
        await source.close();
        t.cleanup();
      }
    });

    it("counts one limit exactly across two processes' simultaneous takes", async () => {
      // A second State is what a second bot process opens: its own connections to the same backend.
      const other = await openState(url);
      try {
        const name = key("burst");
        const takes = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? other : state).limits.limit(name, 5, 60).take("guild"),
          ),
        );
        expect(takes.filter((t) => t.allowed)).toHaveLength(5);
        // What one process took, the other sees.
        expect((await other.limits.limit(name, 5, 60).take("guild")).allowed).toBe(false);
      } finally {
        await other.close();
      }
    });
  });
}

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`leases over ${backend.name}`, () => {
    it("one process holds a lease; another takes it over when the holder releases it or stops renewing", async () => {
      const t = tempDir();
      const url = backend.url(t.dir);
      const name = `test-${randomBytes(4).toString("hex")}`;
      const first = await openState(url);
      const second = await openState(url);
      try {
        const a = first.locks.lease(name, 600);
        await a.ready;
        const b = second.locks.lease(name, 600);
        await b.ready;
        expect([a.held(), b.held()]).toEqual([true, false]);
        await a.release();
        // The second takes it at its next attempt (every third of the time-to-live).
        await expect.poll(() => b.held(), { timeout: 2000, interval: 50 }).toBe(true);
        // A holder killed with SIGKILL (another process) is replaced once its lease expires.
        const holder = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            "-e",
            `import("./src/state/state.ts").then(async ({ openState }) => {
              const state = await openState(${JSON.stringify(url)});
              const lease = state.locks.lease(${JSON.stringify(`${name}-2`)}, 600);
              await lease.ready;
              console.log(lease.held() ? "held" : "not held");
              setInterval(() => {}, 1000);
            })`,
          ],
          { cwd: path.resolve(import.meta.dirname, ".."), stdio: ["ignore", "pipe", "inherit"] },
        );
        const said = await new Promise<string>((resolve) =>
          holder.stdout?.once("data", (d) => resolve(String(d))),
        );
        expect(said.trim()).toBe("held");
        const d = second.locks.lease(`${name}-2`, 600);
        await d.ready;
        expect(d.held()).toBe(false);
        holder.kill("SIGKILL");
        await expect.poll(() => d.held(), { timeout: 3000, interval: 50 }).toBe(true);
      } finally {
        await first.close();
        await second.close();
        t.cleanup();
      }
    });
  });
}

describe("state URLs", () => {
  it("explains an unsupported backend", async () => {
    await expect(openState("mysql://x")).rejects.toThrow(
      /STATE_URL must start with sqlite:\/\/, redis:\/\/ or postgres:\/\//,
    );
  });
});
