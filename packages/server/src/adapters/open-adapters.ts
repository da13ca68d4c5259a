/**
 * Picks the adapters for a configuration. No REDIS_URL and no DATABASE_URL: everything
 * embedded in this process. DATABASE_URL alone: PostgreSQL store, embedded log (one node).
 * Both: the distributed set — Redis Streams log with its persister, Redis presence, limits
 * and bus, PostgreSQL store — and any number of identical nodes.
 */
import { hostname } from "node:os";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Metrics } from "../metrics.js";
import type { ClusterBus } from "../ports/bus.js";
import type { ConnectionSlots } from "../ports/connection-slots.js";
import type { Consumers } from "../ports/consumer.js";
import type { Leases } from "../ports/lease.js";
import type { Limiter, LimiterRules } from "../ports/limiter.js";
import type { ChannelLog } from "../ports/log.js";
import type { Presence } from "../ports/presence.js";
import type { Store } from "../ports/store.js";
import type { Tickets } from "../ports/tickets.js";
import { EmbeddedConsumers } from "./embedded/embedded-consumer.js";
import { EmbeddedLeases } from "./embedded/embedded-lease.js";
import { EmbeddedLog } from "./embedded/embedded-log.js";
import { MemoryBus } from "./embedded/memory-bus.js";
import { MemoryConnectionSlots } from "./embedded/memory-connection-slots.js";
import { MemoryLimiter } from "./embedded/memory-limiter.js";
import { MemoryPresence } from "./embedded/memory-presence.js";
import { MemoryTickets } from "./embedded/memory-tickets.js";
import { RedisPersister } from "./redis/persister.js";
import { RedisBus } from "./redis/redis-bus.js";
import { RedisConnectionSlots } from "./redis/redis-connection-slots.js";
import { RedisConsumers } from "./redis/redis-consumer.js";
import { RedisLeases } from "./redis/redis-lease.js";
import { RedisLimiter } from "./redis/redis-limiter.js";
import { RedisLog } from "./redis/redis-log.js";
import { RedisPresence } from "./redis/redis-presence.js";
import { RedisTickets } from "./redis/redis-tickets.js";
import { openStore } from "./sql/open-store.js";

export interface Adapters {
  mode: "embedded" | "distributed";
  store: Store;
  log: ChannelLog;
  presence: Presence;
  limiter: Limiter;
  bus: ClusterBus;
  /** Cluster-wide consumer groups over every channel's events (analysis, webhooks, retention). */
  consumers: Consumers;
  /** Cluster-wide exclusive leases (a channel's connector, its summaries). */
  leases: Leases;
  /** Realtime connections per client address, over every node (per-IP connection limit). */
  connectionSlots: ConnectionSlots;
  /** Single-use connection tickets, redeemable on any node. */
  tickets: Tickets;
  /** Which dependency answers (for /readyz). */
  health(): Promise<Record<string, "ok" | "down">>;
  close(): Promise<void>;
}

export async function openAdapters(
  config: Config,
  rules: LimiterRules,
  logger: Logger,
  metrics: Metrics,
): Promise<Adapters> {
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    fsync: config.embeddedFsync,
  });
  const storeHealth = async () => withTimeout(store.ping(), config.healthTimeoutMs);
  if (config.redisUrl === null) {
    const log = await EmbeddedLog.open(store, {
      recentWindow: config.limits.recentWindow,
      commitDelayMs: config.commitDelayMs,
      dedupWindowMs: config.dedupWindowSec * 1000,
      maxBatch: config.commitMaxBatch,
    });
    const presence = new MemoryPresence();
    const limiter = new MemoryLimiter(rules);
    const bus = new MemoryBus(logger);
    const consumers = new EmbeddedConsumers(log, logger);
    const leases = new EmbeddedLeases();
    const connectionSlots = new MemoryConnectionSlots();
    return {
      mode: "embedded",
      store,
      log,
      presence,
      limiter,
      bus,
      consumers,
      leases,
      connectionSlots,
      tickets: new MemoryTickets(),
      health: async () => ({ store: (await storeHealth()) ? "ok" : "down" }),
      close: async () => {
        await consumers.close();
        await leases.close();
        await connectionSlots.close();
        await log.close();
        await bus.close();
        await limiter.close();
        await presence.close();
        await store.close();
      },
    };
  }

  const nodeId = config.nodeId ?? `${hostname()}-${process.pid}`;
  const options: RedisOptions = {
    lazyConnect: true,
    // RESP2 reply shapes (XREAD: [[key, entries], …]) — what the stream parsers expect.
    protocol: 2,
    // Fail fast while Redis is away (writes answer 503), reconnect in the background with backoff.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.redis.commandTimeoutMs,
    retryStrategy: (times) => Math.min(5_000, 100 * 2 ** Math.min(times, 6)) * (0.5 + Math.random() / 2),
    connectionName: `chorus:${nodeId}`,
  };
  const redis = new Redis(config.redisUrl, options);
  // The blocking XREAD and the pub/sub subscriber each need a connection of their own.
  const reader = new Redis(config.redisUrl, {
    ...options,
    commandTimeout: undefined,
    connectionName: `chorus:${nodeId}:reader`,
  });
  const subscriber = new Redis(config.redisUrl, {
    ...options,
    enableOfflineQueue: true,
    // ioredis re-subscribes after a reconnect with a SUBSCRIBE whose promise nobody can catch
    // (event_handler.js, autoResubscribe): with a retry limit, Redis dropping again before
    // the reply rejects it and the unhandled rejection kills the process (found by the chaos
    // test). Without a limit, the command waits for the next connection instead.
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    connectionName: `chorus:${nodeId}:bus`,
  });
  for (const client of [redis, reader, subscriber]) {
    client.on("error", (error: Error) => logger.debug({ err: error }, "redis connection error"));
  }
  await Promise.all([redis.connect(), reader.connect(), subscriber.connect()]);
  const log = new RedisLog(redis, reader, store, logger, {
    leaseSize: config.redis.leaseSize,
    dedupTtlSec: config.dedupWindowSec,
    maxStreamLength: config.redis.maxStreamLength,
    blockMs: config.redis.readBlockMs,
  });
  await log.start();
  const persister = new RedisPersister(redis, store, logger, metrics, {
    consumer: nodeId,
    batch: config.redis.persistBatch,
    idleMs: config.redis.persistIdleMs,
    claimIdleMs: config.redis.claimIdleMs,
    maxAttempts: config.redis.persistMaxAttempts,
    recentWindow: config.limits.recentWindow,
    maxStreamLength: config.redis.maxStreamLength,
  });
  persister.start();
  const presence = new RedisPresence(redis, logger, {
    nodeId,
    publishMs: config.redis.presencePublishMs,
    staleMs: config.redis.presenceStaleMs,
    maxListed: config.redis.presenceListedMax,
  });
  const limiter = new RedisLimiter(redis, rules);
  const bus = await RedisBus.open(redis, subscriber, logger);
  const consumers = new RedisConsumers(redis, logger, { nodeId, claimIdleMs: config.redis.claimIdleMs });
  const leases = new RedisLeases(redis, logger, { ttlMs: config.redis.leaseTtlMs });
  const connectionSlots = new RedisConnectionSlots(redis, logger, {
    nodeId,
    beatMs: config.redis.presencePublishMs,
    staleMs: config.redis.presenceStaleMs,
  });
  return {
    mode: "distributed",
    store,
    log,
    presence,
    limiter,
    bus,
    consumers,
    leases,
    connectionSlots,
    tickets: new RedisTickets(redis),
    health: async () => ({
      store: (await storeHealth()) ? "ok" : "down",
      redis: (await withTimeout(redis.ping(), config.healthTimeoutMs)) ? "ok" : "down",
    }),
    close: async () => {
      // Before the persister and while Redis is connected: members ack and leases release.
      await consumers.close();
      await leases.close();
      await connectionSlots.close();
      await persister.stop();
      await log.close();
      await presence.close();
      await bus.close();
      await limiter.close();
      await store.close();
      for (const client of [redis, reader, subscriber]) client.disconnect();
    },
  };
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
