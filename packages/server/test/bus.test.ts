/** The ClusterBus contract against the in-process bus and the Redis pub/sub bus. */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll } from "vitest";
import { MemoryBus } from "../src/adapters/embedded/memory-bus.js";
import { RedisBus } from "../src/adapters/redis/redis-bus.js";
import { redisSkipReason } from "./contracts/availability.js";
import { busContract } from "./contracts/bus.contract.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

busContract("in-process", async () => {
  const bus = new MemoryBus();
  return { nodes: [bus], dispose: () => bus.close() };
});

let server: Promise<TestRedis> | null = null;
afterAll(async () => {
  if (server) await (await server).dispose();
});

busContract(
  "Redis pub/sub (two nodes)",
  async () => {
    server ??= startTestRedis();
    const { url } = await server;
    const clients: Redis[] = [];
    const node = async () => {
      const publisher = new Redis(url, { protocol: 2, lazyConnect: true });
      const subscriber = new Redis(url, { protocol: 2, lazyConnect: true });
      clients.push(publisher, subscriber);
      await Promise.all([publisher.connect(), subscriber.connect()]);
      return RedisBus.open(publisher, subscriber, pino({ level: "silent" }));
    };
    const nodes = [await node(), await node()];
    return {
      nodes,
      async dispose() {
        await Promise.all(nodes.map((n) => n.close()));
        for (const c of clients) c.disconnect();
      },
    };
  },
  redisSkipReason(),
);
