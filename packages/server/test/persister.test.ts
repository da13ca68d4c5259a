/**
 * The Redis persister against a real Redis and PostgreSQL: stores every entry once, raises the
 * watermark and trims behind it, retries after a failed insert, claims what a dead consumer
 * read but never acknowledged, and dead-letters an entry that keeps failing.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { channelKeys, PERSIST_GROUP } from "../src/adapters/redis/keys.js";
import { RedisPersister } from "../src/adapters/redis/persister.js";
import { RedisLog } from "../src/adapters/redis/redis-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import { Metrics } from "../src/metrics.js";
import type { Store } from "../src/ports/store.js";
import { describeContract, redisSkipReason } from "./contracts/availability.js";
import { message, seedChannel, userRecord } from "./contracts/fixtures.js";
import { freshDatabase, postgresSkipReason } from "./contracts/pg.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";

describeContract("Redis persister", redisSkipReason() ?? (await postgresSkipReason()), () => {
  let server: TestRedis;
  let db: { url: string; drop: () => Promise<void> };
  let store: Store;
  let redis: Redis;
  let reader: Redis;
  let log: RedisLog;
  const logger = pino({ level: "silent" });
  const persisterOptions = {
    batch: 100,
    idleMs: 10,
    claimIdleMs: 200,
    maxAttempts: 3,
    recentWindow: 5,
    maxStreamLength: 100_000,
  };

  beforeAll(async () => {
    server = await startTestRedis();
    db = await freshDatabase();
    store = await openStore({ dataDir: "memory://", databaseUrl: db.url });
    redis = new Redis(server.url, { protocol: 2 });
    reader = new Redis(server.url, { protocol: 2 });
    log = new RedisLog(redis, reader, store, logger, {
      leaseSize: 1000,
      dedupTtlSec: 60,
      maxStreamLength: 100_000,
      blockMs: 200,
    });
  });

  afterAll(async () => {
    await log?.close();
    redis?.disconnect();
    reader?.disconnect();
    await store?.close();
    await db?.drop();
    await server?.dispose();
  });

  const post = async (channel: string, n: number) => {
    const author = userRecord("poster");
    for (let i = 0; i < n; i++) {
      await log.append(channel, {
        type: "message",
        at: Date.now(),
        data: { ...message(channel, 0, author), text: `m${i}` },
      });
    }
  };

  it("stores every entry once, raises the watermark and trims the stream behind it", async () => {
    const { channel } = await seedChannel(store);
    await post(channel, 20);
    const persister = new RedisPersister(redis, store, logger, new Metrics(), { ...persisterOptions, consumer: "p1" });
    expect(await persister.round()).toBe(20);
    expect(await persister.round()).toBe(0);
    expect((await store.events.range(channel, 0, 100)).map((e) => e.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(Number(await redis.get(channelKeys(channel).persisted))).toBe(20);
    // Only the recent window (5) behind the watermark stays (approximately: MINID ~ trims whole nodes).
    const left = await redis.xlen(channelKeys(channel).stream);
    expect(left).toBeGreaterThanOrEqual(5);
    expect(left).toBeLessThanOrEqual(20);
    const pending = (await redis.xpending(channelKeys(channel).stream, PERSIST_GROUP)) as unknown[];
    expect(pending[0]).toBe(0);
  });

  it("claims entries a dead consumer read but never acknowledged, and stores them once", async () => {
    const { channel } = await seedChannel(store);
    const persister = new RedisPersister(redis, store, logger, new Metrics(), { ...persisterOptions, consumer: "p2" });
    await redis.xgroup("CREATE", channelKeys(channel).stream, PERSIST_GROUP, "0", "MKSTREAM");
    await post(channel, 7);
    // A consumer that reads and dies before XACK.
    await redis.call(
      "XREADGROUP",
      "GROUP",
      PERSIST_GROUP,
      "dead-node",
      "COUNT",
      "100",
      "STREAMS",
      channelKeys(channel).stream,
      ">",
    );
    expect(await persister.round()).toBe(0);
    expect(await store.events.maxSeq(channel)).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await persister.round()).toBe(7);
    expect((await store.events.range(channel, 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("stores the good entries of a batch around a row the store refuses, and dead-letters only that row", async () => {
    const { channel: a } = await seedChannel(store);
    const { channel: b } = await seedChannel(store);
    const persister = new RedisPersister(redis, store, logger, new Metrics(), { ...persisterOptions, consumer: "p4" });
    const author = userRecord("poster");
    const append = (channel: string, text: string, dedupKey?: string) =>
      log.append(
        channel,
        { type: "message", at: Date.now(), data: { ...message(channel, 0, author), text } },
        dedupKey,
      );
    await append(a, "one", `${a}:k1`);
    await append(b, "b1");
    await append(a, "two");
    // PostgreSQL text cannot hold U+0000: the store refuses this row whatever happens.
    const bad = await append(a, "poison", `${a}:bad\u0000`);
    await append(a, "four", `${a}:k4`);
    await append(b, "b2", `${b}:k2`);
    expect(bad.event.seq).toBe(3);

    // One round: everything but the poisoned row is stored at once.
    await persister.round();
    expect((await store.events.range(a, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 4]);
    expect((await store.events.range(b, 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await redis.xlen(channelKeys(a).dead)).toBe(0);

    // The bad row alone is retried, and dead-lettered after maxAttempts (3).
    for (let i = 0; i < 2; i++) await persister.round();
    const dead = await redis.xrange(channelKeys(a).dead, "-", "+");
    expect(dead.map(([, fields]) => fields[fields.indexOf("seq") + 1])).toEqual(["3"]);
    expect(((await redis.xpending(channelKeys(a).stream, PERSIST_GROUP)) as unknown[])[0]).toBe(0);
    expect(((await redis.xpending(channelKeys(b).stream, PERSIST_GROUP)) as unknown[])[0]).toBe(0);
    // Entries after it keep flowing.
    await append(a, "five");
    await persister.round();
    expect((await store.events.range(a, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 4, 5]);
  });

  it("never trims what another consumer group has not processed yet", async () => {
    const { channel } = await seedChannel(store);
    const stream = channelKeys(channel).stream;
    // A cluster-wide Consumer group that has read nothing yet.
    await redis.xgroup("CREATE", stream, "consumer:slow", "0", "MKSTREAM");
    await post(channel, 20);
    const persister = new RedisPersister(redis, store, logger, new Metrics(), { ...persisterOptions, consumer: "p5" });
    expect(await persister.round()).toBe(20);
    expect(await redis.xlen(stream)).toBe(20);
    // Once it has read and acknowledged everything, the next batch trims behind the watermark.
    await redis.call("XREADGROUP", "GROUP", "consumer:slow", "c", "COUNT", "100", "STREAMS", stream, ">");
    await redis.xack(stream, "consumer:slow", ...Array.from({ length: 20 }, (_, i) => `${i + 1}-0`));
    await post(channel, 1);
    expect(await persister.round()).toBe(1);
    expect(await redis.xlen(stream)).toBeLessThan(20);
  });

  it("retries a failed insert and dead-letters an entry that keeps failing", async () => {
    const { channel } = await seedChannel(store);
    let failing = true;
    const flaky: Store = Object.create(store) as Store;
    const events = Object.create(store.events) as Store["events"];
    events.append = (batch) => (failing ? Promise.reject(new Error("store down")) : store.events.append(batch));
    Object.defineProperty(flaky, "events", { value: events });
    const persister = new RedisPersister(redis, flaky, logger, new Metrics(), { ...persisterOptions, consumer: "p3" });
    await post(channel, 2);
    await persister.round();
    expect(await store.events.maxSeq(channel)).toBe(0);
    failing = false;
    await persister.round();
    expect((await store.events.range(channel, 0, 10)).map((e) => e.seq)).toEqual([1, 2]);

    failing = true;
    await post(channel, 1);
    for (let i = 0; i < 3; i++) await persister.round();
    expect(await redis.xlen(channelKeys(channel).dead)).toBe(1);
    failing = false;
    await persister.round();
    // Dead-lettered, not stored, and no longer pending.
    expect(await store.events.maxSeq(channel)).toBe(2);
    expect(((await redis.xpending(channelKeys(channel).stream, PERSIST_GROUP)) as unknown[])[0]).toBe(0);
  });
});
