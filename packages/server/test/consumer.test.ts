/** The Consumer contract against the embedded adapter and the Redis adapter. */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll } from "vitest";
import { EmbeddedConsumers } from "../src/adapters/embedded/embedded-consumer.js";
import { EmbeddedLog } from "../src/adapters/embedded/embedded-log.js";
import { RedisConsumers } from "../src/adapters/redis/redis-consumer.js";
import { RedisLog } from "../src/adapters/redis/redis-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { Store } from "../src/ports/store.js";
import { redisSkipReason } from "./contracts/availability.js";
import { consumerContract } from "./contracts/consumer.contract.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

const logger = pino({ level: "silent" });
// One PGlite store for the file (it takes seconds to open); the tests use fresh channels. Both
// logs only need it for seq bookkeeping.
let shared: Promise<Store> | null = null;
const store = () => (shared ??= openStore({ dataDir: "memory://", databaseUrl: null }));
let redisServer: Promise<TestRedis> | null = null;
afterAll(async () => {
  if (shared) await (await shared).close();
  if (redisServer) await (await redisServer).dispose();
});

consumerContract(
  "embedded",
  async () => {
    const log = await EmbeddedLog.open(await store());
    const consumers = new EmbeddedConsumers(log, logger, { retryMs: 50 });
    return {
      log,
      store: await store(),
      node: () => consumers,
      async dispose() {
        await consumers.close();
        await log.close();
      },
    };
  },
  { abandonedSkip: "embedded: a member cannot die without the process, which is the whole cluster", claimIdleMs: 0 },
);

const claimIdleMs = 300;
consumerContract(
  "Redis",
  async () => {
    redisServer ??= startTestRedis();
    const { url } = await redisServer;
    const clients: Redis[] = [];
    const client = async () => {
      const redis = new Redis(url, { protocol: 2, lazyConnect: true });
      await redis.connect();
      clients.push(redis);
      return redis;
    };
    const log = new RedisLog(await client(), await client(), await store(), logger, {
      leaseSize: 1000,
      dedupTtlSec: 60,
      maxStreamLength: 100_000,
      blockMs: 200,
    });
    await log.start();
    const nodes = [0, 1].map(
      async (i) =>
        new RedisConsumers(await client(), logger, { nodeId: `n${i}`, idleMs: 20, claimIdleMs, retryMs: 50 }),
    );
    const [a, b] = await Promise.all(nodes);
    if (!a || !b) throw new Error("unreachable");
    return {
      log,
      store: await store(),
      node: (i) => (i === 0 ? a : b),
      async dispose() {
        await Promise.all([a.close(), b.close()]);
        await log.close();
        for (const c of clients) c.disconnect();
      },
    };
  },
  { abandonedSkip: null, claimIdleMs },
  redisSkipReason(),
);
