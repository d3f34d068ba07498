// Fail fast, with what to check, when CI cannot reach the Redis and PostgreSQL its test suites need.
import { createClient } from "@redis/client";
import pg from "pg";

const problems = [];
try {
  const redis = createClient({
    url: process.env.TEST_REDIS_URL,
    socket: { connectTimeout: 5000, reconnectStrategy: false },
  });
  redis.on("error", () => {});
  await redis.connect();
  await redis.ping();
  await redis.close();
} catch (error) {
  problems.push(`Redis at ${process.env.TEST_REDIS_URL}: ${error.message}`);
}
try {
  const client = new pg.Client({
    connectionString: process.env.TEST_DATABASE_URL,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  await client.query("SELECT 1");
  await client.end();
} catch (error) {
  problems.push(`PostgreSQL at ${process.env.TEST_DATABASE_URL}: ${error.message}`);
}
if (problems.length > 0) {
  console.error(`CI needs these servers for the state suites:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("Redis and PostgreSQL reachable: their suites run.");
