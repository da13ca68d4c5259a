import { Redis } from "ioredis";
import pino from "pino";
import { afterAll } from "vitest";
import { EmbeddedLog } from "../src/adapters/embedded/embedded-log.js";
import { channelKeys } from "../src/adapters/redis/keys.js";
import { RedisLog } from "../src/adapters/redis/redis-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { ChannelLog } from "../src/ports/log.js";
import type { Store } from "../src/ports/store.js";
import { redisSkipReason } from "./contracts/availability.js";
import { logContract } from "./contracts/log.contract.js";
import { freshDatabase, postgresSkipReason } from "./contracts/pg.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

/** Wraps a store so a test can make its event writes fail, as a dead database would. */
function breakable(store: Store): { store: Store; setBroken: (b: boolean) => void } {
  let broken = false;
  const events = Object.create(store.events) as Store["events"];
  events.append = (batch) => (broken ? Promise.reject(new Error("store down")) : store.events.append(batch));
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, "events", { value: events });
  return { store: wrapped, setBroken: (b) => (broken = b) };
}

// One database for the file (PGlite takes seconds to open); each test uses fresh channels.
let shared: Promise<Store> | null = null;
afterAll(async () => {
  if (shared) await (await shared).close();
});

logContract("embedded (PGlite group commit)", async () => {
  shared ??= openStore({ dataDir: "memory://", databaseUrl: null });
  const raw = await shared;
  const { store, setBroken } = breakable(raw);
  // A tiny window so reads also exercise the store path.
  let log: ChannelLog = await EmbeddedLog.open(store, { recentWindow: 8 });
  return {
    get log() {
      return log;
    },
    store: raw,
    async reopen() {
      await log.close();
      log = await EmbeddedLog.open(store, { recentWindow: 8 });
      return log;
    },
    breakWrites: async (broken) => setBroken(broken),
    durableHead: (channel) => raw.events.maxSeq(channel),
    async dispose() {
      await log.close();
    },
  };
});

// Started by the first Redis test, so a skipped run starts nothing.
let redisSide: Promise<{ server: TestRedis; db: { url: string; drop: () => Promise<void> }; store: Store }> | null =
  null;
const openRedisSide = () =>
  (redisSide ??= (async () => {
    const server = await startTestRedis();
    const db = await freshDatabase();
    return { server, db, store: await openStore({ dataDir: "memory://", databaseUrl: db.url }) };
  })());
afterAll(async () => {
  if (!redisSide) return;
  const { server, db, store } = await redisSide;
  await store.close();
  await db.drop();
  await server.dispose();
});
const options = { leaseSize: 100, dedupTtlSec: 600, maxStreamLength: 100_000, blockMs: 500 };

logContract(
  "Redis Streams",
  async () => {
    const { server, store } = await openRedisSide();
    const client = () =>
      new Redis(server.url, { protocol: 2, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const open = async () => {
      const redis = client();
      const reader = client();
      await Promise.all([redis.connect(), reader.connect()]);
      const log = new RedisLog(redis, reader, store, pino({ level: "silent" }), options);
      await log.start();
      return { log, redis, reader };
    };
    let current = await open();
    const close = async () => {
      await current.log.close();
      current.redis.disconnect();
      current.reader.disconnect();
    };
    return {
      get log() {
        return current.log;
      },
      store,
      async reopen() {
        await close();
        current = await open();
        return current.log;
      },
      async breakWrites(broken) {
        if (broken) {
          current.redis.disconnect();
          return;
        }
        while (current.redis.status !== "end") await new Promise((r) => setTimeout(r, 10));
        await current.redis.connect();
      },
      async durableHead(channel) {
        const probe = client();
        await probe.connect();
        const last = await probe.xrevrange(channelKeys(channel).stream, "+", "-", "COUNT", 1);
        probe.disconnect();
        return last[0] ? Number.parseInt(last[0][0], 10) : 0;
      },
      dispose: close,
    };
  },
  redisSkipReason() ?? (await postgresSkipReason()),
);
