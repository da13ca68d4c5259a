import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, expect, it } from "vitest";
import { MemoryConnectionSlots } from "../src/adapters/embedded/memory-connection-slots.js";
import { MemoryLimiter } from "../src/adapters/embedded/memory-limiter.js";
import { MemoryPresence } from "../src/adapters/embedded/memory-presence.js";
import { MemoryTickets } from "../src/adapters/embedded/memory-tickets.js";
import { RedisConnectionSlots } from "../src/adapters/redis/redis-connection-slots.js";
import { RedisLimiter } from "../src/adapters/redis/redis-limiter.js";
import { RedisPresence } from "../src/adapters/redis/redis-presence.js";
import { RedisTickets } from "../src/adapters/redis/redis-tickets.js";
import { describeContract, redisSkipReason } from "./contracts/availability.js";
import { connectionSlotsContract } from "./contracts/connection-slots.contract.js";
import { limiterContract } from "./contracts/limiter.contract.js";
import { presenceContract } from "./contracts/presence.contract.js";
import { ticketsContract } from "./contracts/tickets.contract.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

presenceContract("memory", async () => new MemoryPresence());
limiterContract("memory", async (rules) => new MemoryLimiter(rules));
connectionSlotsContract("memory", async () => new MemoryConnectionSlots());
ticketsContract("memory", async () => new MemoryTickets());

const redisSkip = redisSkipReason();
// Started by the first Redis test, so a skipped run starts nothing.
let shared: Promise<TestRedis> | null = null;
const clients: Redis[] = [];
const client = async () => {
  shared ??= startTestRedis();
  const redis = new Redis((await shared).url, { protocol: 2, lazyConnect: true });
  await redis.connect();
  clients.push(redis);
  return redis;
};
afterAll(async () => {
  for (const c of clients) c.disconnect();
  if (shared) await (await shared).dispose();
});

presenceContract(
  "Redis (one node)",
  async () => {
    const redis = await client();
    // A fresh key space per test: the contract reuses channel names.
    await redis.flushall();
    return new RedisPresence(redis, pino({ level: "silent" }), {
      nodeId: `node-${randomUUID()}`,
      publishMs: 50,
      staleMs: 1_000,
      maxListed: 1_000,
    });
  },
  redisSkip,
);

limiterContract("Redis", async (rules) => new RedisLimiter(await client(), rules, `rl-${randomUUID()}`), redisSkip);

connectionSlotsContract(
  "Redis",
  async () =>
    new RedisConnectionSlots(await client(), pino({ level: "silent" }), {
      nodeId: `node-${randomUUID()}`,
      beatMs: 50,
      staleMs: 1_000,
    }),
  redisSkip,
);

ticketsContract("Redis", async () => new RedisTickets(await client()), redisSkip);

describeContract("Redis connection slots across nodes", redisSkip, () => {
  it("counts every node's slots, and frees a dead node's once it has been silent for the stale time", async () => {
    const silent = pino({ level: "silent" });
    const key = `ip-${randomUUID()}`;
    // Node A beats once (at start) and then not for a minute: to B it dies after 300 ms.
    const nodeA = new RedisConnectionSlots(await client(), silent, {
      nodeId: `a-${randomUUID()}`,
      beatMs: 60_000,
      staleMs: 300,
    });
    const nodeB = new RedisConnectionSlots(await client(), silent, {
      nodeId: `b-${randomUUID()}`,
      beatMs: 50,
      staleMs: 300,
    });
    try {
      expect(await nodeA.acquire(key, 3)).toBe(true);
      expect(await nodeA.acquire(key, 3)).toBe(true);
      expect(await nodeB.acquire(key, 3)).toBe(true);
      // Full over both nodes, whichever is asked.
      expect(await nodeB.acquire(key, 3)).toBe(false);
      expect(await nodeA.acquire(key, 3)).toBe(false);
      // A releases one: B sees it.
      await nodeA.release(key);
      expect(await nodeB.acquire(key, 3)).toBe(true);
      expect(await nodeB.acquire(key, 3)).toBe(false);
      // A goes silent: its remaining slot stops counting.
      await new Promise((r) => setTimeout(r, 400));
      expect(await nodeB.acquire(key, 3)).toBe(true);
      expect(await nodeB.acquire(key, 3)).toBe(false);
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });
});

describeContract("Redis presence across nodes", redisSkip, () => {
  it("sums viewers and unions chatters of every live node, and forgets a node that stopped publishing", async () => {
    const server = await startTestRedis();
    const a = new Redis(server.url, { protocol: 2 });
    const b = new Redis(server.url, { protocol: 2 });
    const options = { publishMs: 30, staleMs: 300, maxListed: 1_000 };
    const nodeA = new RedisPresence(a, pino({ level: "silent" }), { ...options, nodeId: "a" });
    const nodeB = new RedisPresence(b, pino({ level: "silent" }), { ...options, nodeId: "b" });
    try {
      const alice = { key: "u-alice", user: { username: "alice", displayName: "Alice", role: "viewer" } };
      await nodeA.join("c", alice);
      await nodeA.join("c", { key: "anon-1", user: null });
      await nodeB.join("c", alice);
      await nodeB.join("c", { key: "u-bob", user: { username: "bob", displayName: "Bob", role: "viewer" } });
      await nodeA.publish();
      await nodeB.publish();
      expect(await nodeA.counts("c")).toEqual({ viewers: 4, chatters: 2 });
      expect((await nodeB.chatters("c", 10)).map((u) => u.username).sort()).toEqual(["alice", "bob"]);
      // Node B dies without a word (its connection is gone, so it cannot clean up): after
      // staleMs its last snapshot no longer counts.
      b.disconnect();
      await nodeB.close();
      expect(await a.hexists("chorus:{c:c}:presence", "b")).toBe(1);
      await new Promise((r) => setTimeout(r, 1_200));
      expect(await nodeA.counts("c")).toEqual({ viewers: 2, chatters: 1 });
    } finally {
      await nodeA.close();
      a.disconnect();
      await server.dispose();
    }
  });
});
