/** The Lease contract against the embedded adapter and the Redis adapter. */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll } from "vitest";
import { EmbeddedLeases } from "../src/adapters/embedded/embedded-lease.js";
import { leaseKey } from "../src/adapters/redis/keys.js";
import { RedisLeases } from "../src/adapters/redis/redis-lease.js";
import { redisSkipReason } from "./contracts/availability.js";
import { leaseContract } from "./contracts/lease.contract.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

leaseContract(
  "embedded",
  async () => {
    const leases = new EmbeddedLeases();
    return {
      node: () => leases,
      ttlMs: 100,
      steal: async () => undefined,
      crash: async () => undefined,
      dispose: () => leases.close(),
    };
  },
  "embedded: the process is the whole cluster, nothing can take a lease from it",
);

let server: Promise<TestRedis> | null = null;
afterAll(async () => {
  if (server) await (await server).dispose();
});

const ttlMs = 300;
leaseContract(
  "Redis",
  async () => {
    server ??= startTestRedis();
    const { url } = await server;
    const logger = pino({ level: "silent" });
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        // As in production: fail fast while the connection is down.
        const redis = new Redis(url, {
          protocol: 2,
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
        });
        await redis.connect();
        return redis;
      }),
    );
    const [a, b, probe] = clients as [Redis, Redis, Redis];
    const nodes = [new RedisLeases(a, logger, { ttlMs }), new RedisLeases(b, logger, { ttlMs })];
    const crashed = new Set<number>();
    return {
      node: (i) => nodes[i] as RedisLeases,
      ttlMs,
      steal: async (name) => {
        await probe.set(leaseKey(name), "someone-else", "PX", ttlMs * 10);
      },
      crash: async (i) => {
        crashed.add(i);
        (i === 0 ? a : b).disconnect();
      },
      async dispose() {
        await Promise.all(nodes.filter((_, i) => !crashed.has(i)).map((n) => n.close()));
        for (const c of clients) c.disconnect();
      },
    };
  },
  null,
  redisSkipReason(),
);
