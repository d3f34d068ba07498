import { REST, Routes, ShardingManager } from "discord.js";
import type { Logger } from "../log.js";

/** Whether this process is one shard started by a ShardingManager (discord.js sets this in each shard's env). */
export function isShardProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SHARDING_MANAGER === "true";
}

/** This process's shard id (its ShardingManager passes it as SHARDS), or null outside a shard process. */
export function shardId(env: NodeJS.ProcessEnv = process.env): number | null {
  return isShardProcess(env) ? Number(env.SHARDS) : null;
}

/** How many shard processes to run: the number asked for, or what Discord recommends for `auto`. */
export async function shardCount(
  shards: number | "auto",
  token: string,
  apiUrl: string | undefined,
): Promise<number> {
  if (shards !== "auto") return shards;
  const rest = new REST({ ...(apiUrl ? { api: apiUrl } : {}), retries: 1 }).setToken(token);
  const body = (await rest.get(Routes.gatewayBot())) as { shards?: number };
  return Math.max(1, Number(body.shards ?? 1));
}

/** What runs the shards: stop them all (each finishes its replies in flight, as one bot does on SIGTERM). */
export interface Shards {
  count: number;
  stop(): Promise<void>;
}

/**
 * Run the bot as `count` processes of `entry`, each one gateway connection for its share of the servers (Discord
 * routes a server to shard `(server id >> 22) % count`). A shard process that dies is started again. Feed polling
 * and digest delivery stay exactly-once across shards through their leases in the state backend (`STATE_URL`).
 */
export async function runShards(options: {
  entry: string;
  count: number;
  token: string;
  log: Logger;
  /** Node flags for each shard (the parent's, so a shard runs as its parent does, e.g. under tsx). */
  execArgv?: string[];
}): Promise<Shards> {
  const { count, log } = options;
  const manager = new ShardingManager(options.entry, {
    totalShards: count,
    token: options.token,
    respawn: true,
    mode: "process",
    execArgv: options.execArgv ?? [],
  });
  manager.on("shardCreate", (shard) => {
    shard.on("spawn", (child) =>
      log.info(
        { shard: shard.id, shards: count, pid: "pid" in child ? child.pid : undefined },
        "shard process started",
      ),
    );
    shard.on("death", () => log.warn({ shard: shard.id }, "shard process stopped; starting it again"));
  });
  // Discord allows one identify per five seconds by default: discord.js waits 5.5 s between shards.
  await manager.spawn({ amount: count, timeout: 60_000 });
  return {
    count,
    async stop() {
      manager.respawn = false;
      await Promise.all(
        [...manager.shards.values()].map(
          (shard) =>
            new Promise<void>((resolve) => {
              const child = shard.process;
              if (!child || child.exitCode !== null) return resolve();
              const timer = setTimeout(() => {
                child.kill("SIGKILL");
                resolve();
              }, 15_000);
              child.once("exit", () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}
