/**
 * Persistence of the Redis log into the Store, shared by every node through one consumer
 * group per channel stream (XREADGROUP). Inserts are idempotent (unique channel + seq), so an
 * entry stored twice — a node died between insert and XACK — is stored once. Entries left
 * pending by a dead node are claimed (XAUTOCLAIM) after `claimIdleMs`; an entry that fails
 * `maxAttempts` times goes to the channel's dead-letter stream. After each batch the
 * persisted watermark rises and the stream is trimmed to the recent window behind it, so
 * trimming never drops what is not in the Store.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { isUnavailableError } from "../../errors.js";
import type { Metrics } from "../../metrics.js";
import type { Store } from "../../ports/store.js";
import { parseEntries, type StreamEntry } from "./entries.js";
import { ACTIVE_CHANNELS_KEY, channelKeys, PERSIST_GROUP } from "./keys.js";
import { RAISE_WATERMARK } from "./scripts.js";

export interface PersisterOptions {
  /** This node's consumer name in the group. */
  consumer: string;
  /** Entries read per channel per round. @default 1000 */
  batch: number;
  /** Pause between rounds that found nothing. @default 50 ms */
  idleMs: number;
  /** Pending entries idle this long belong to a dead consumer and are claimed. @default 15,000 ms */
  claimIdleMs: number;
  /** Attempts before an entry is dead-lettered. @default 5 */
  maxAttempts: number;
  /** Entries kept in the stream behind the persisted watermark, for fast resume. @default 1000 */
  recentWindow: number;
  /** The stream MAXLEN safety cap (for the warning when a stream nears it). */
  maxStreamLength: number;
}

export class RedisPersister {
  private running = false;
  private loop: Promise<void> | null = null;
  private groups = new Set<string>();
  private channelsCache: { at: number; names: string[] } = { at: 0, names: [] };
  private readonly attempts = new Map<string, number>();
  /** Channels with entries this consumer read but could not store yet. */
  private readonly retry = new Set<string>();
  private lastClaim = 0;
  private lastLengthCheck = 0;

  constructor(
    private readonly redis: Redis,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: PersisterOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One round over every channel; returns how many entries were stored. Exposed for tests. */
  async round(): Promise<number> {
    const channels = await this.channels();
    for (const channel of channels) await this.ensureGroup(channel);
    let stored = 0;
    // Our own unacknowledged entries (an insert failed) are retried before anything new.
    for (const channel of [...this.retry]) {
      const entries = await this.readGroup(channel, "0");
      if (entries.length === 0) this.retry.delete(channel);
      else stored += await this.persist(channel, entries);
    }
    // New entries of every channel in one pipelined round trip.
    const pipeline = this.redis.pipeline();
    for (const channel of channels) {
      pipeline.call("XREADGROUP", ...this.readArgs(channel, ">"));
    }
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, channel] of channels.entries()) {
      const [error, reply] = replies[i] ?? [null, null];
      if (error) {
        if (error.message.includes("NOGROUP")) this.groups.delete(channel);
        else throw error;
        continue;
      }
      const entries = entriesOf(channel, reply);
      if (entries.length > 0) stored += await this.persist(channel, entries);
    }
    const now = Date.now();
    if (now - this.lastClaim >= this.options.claimIdleMs / 2) {
      this.lastClaim = now;
      for (const channel of channels) stored += await this.claimAbandoned(channel);
    }
    if (now - this.lastLengthCheck >= 10_000) {
      this.lastLengthCheck = now;
      await this.checkLengths(channels);
    }
    return stored;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const stored = await this.round();
        failures = 0;
        if (stored === 0) await sleep(this.options.idleMs);
      } catch (error) {
        failures++;
        if (failures === 1) this.logger.warn({ err: error }, "persister round failed; retrying with backoff");
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2));
      }
    }
  }

  private async channels(): Promise<string[]> {
    if (Date.now() - this.channelsCache.at > 1_000) {
      this.channelsCache = { at: Date.now(), names: await this.redis.smembers(ACTIVE_CHANNELS_KEY) };
    }
    return this.channelsCache.names;
  }

  private async ensureGroup(channel: string): Promise<void> {
    if (this.groups.has(channel)) return;
    try {
      // From the beginning: entries written before the group existed must be persisted too.
      await this.redis.xgroup("CREATE", channelKeys(channel).stream, PERSIST_GROUP, "0", "MKSTREAM");
    } catch (error) {
      if (!(error instanceof Error && error.message.includes("BUSYGROUP"))) throw error;
    }
    this.groups.add(channel);
  }

  /** XREADGROUP arguments for one channel's stream from `id` (">" = new entries, "0" = our pending ones). */
  private readArgs(channel: string, id: string): string[] {
    return [
      "GROUP",
      PERSIST_GROUP,
      this.options.consumer,
      "COUNT",
      String(this.options.batch),
      "STREAMS",
      channelKeys(channel).stream,
      id,
    ];
  }

  private async readGroup(channel: string, id: string): Promise<StreamEntry[]> {
    try {
      const reply = await this.redis.call("XREADGROUP", ...this.readArgs(channel, id));
      return entriesOf(channel, reply);
    } catch (error) {
      // The stream (and its group) vanished — Redis restarted empty: create the group again.
      if (error instanceof Error && error.message.includes("NOGROUP")) {
        this.groups.delete(channel);
        return [];
      }
      throw error;
    }
  }

  private async persist(channel: string, entries: StreamEntry[]): Promise<number> {
    const keys = channelKeys(channel);
    const ids = entries.map((e) => `${e.seq}-0`);
    try {
      await this.store.events.append(entries.map((e) => ({ event: e.event, dedupKey: e.dedupKey })));
      await this.store.events.flush(); // durable before XACK (a no-op on PostgreSQL, which syncs itself)
    } catch (error) {
      this.retry.add(channel);
      // The store is away: not the entries' fault. Back off and retry them all later; only
      // errors that recur with a reachable store count towards the dead-letter limit.
      if (isUnavailableError(error)) throw error;
      await this.countFailure(channel, entries, error);
      return 0;
    }
    await this.redis.xack(keys.stream, PERSIST_GROUP, ...ids);
    for (const id of ids) this.attempts.delete(`${channel}:${id}`);
    const top = Math.max(...entries.map((e) => e.seq));
    const persisted = Number(await RAISE_WATERMARK.run(this.redis, [keys.persisted], [top]));
    // Never trim past an entry another consumer still holds unacknowledged: it is not in the
    // store yet, and a trimmed pending entry vanishes from the group as well.
    let keepFrom = persisted - this.options.recentWindow + 1;
    const pending = (await this.redis.xpending(keys.stream, PERSIST_GROUP)) as unknown[];
    const oldestPending = typeof pending[1] === "string" ? Number.parseInt(pending[1], 10) : Number.NaN;
    if (Number.isSafeInteger(oldestPending)) keepFrom = Math.min(keepFrom, oldestPending);
    if (keepFrom > 1) await this.redis.xtrim(keys.stream, "MINID", "~", `${keepFrom}-0`);
    return entries.length;
  }

  private async countFailure(channel: string, entries: StreamEntry[], error: unknown): Promise<void> {
    const keys = channelKeys(channel);
    const dead: StreamEntry[] = [];
    for (const entry of entries) {
      const id = `${channel}:${entry.seq}-0`;
      const n = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, n);
      if (n >= this.options.maxAttempts) dead.push(entry);
    }
    this.logger.warn({ err: error, channel, entries: entries.length }, "persisting entries failed; will retry");
    for (const entry of dead) {
      await this.redis.xadd(keys.dead, "*", "seq", String(entry.seq), "event", JSON.stringify(entry.event));
      await this.redis.xack(keys.stream, PERSIST_GROUP, `${entry.seq}-0`);
      this.attempts.delete(`${channel}:${entry.seq}-0`);
      this.logger.error({ channel, seq: entry.seq }, "entry dead-lettered after repeated persistence failures");
    }
  }

  /** Claims entries a dead consumer read but never acknowledged, and stores them. */
  private async claimAbandoned(channel: string): Promise<number> {
    const key = channelKeys(channel).stream;
    const reply = await this.redis.call(
      "XAUTOCLAIM",
      key,
      PERSIST_GROUP,
      this.options.consumer,
      String(this.options.claimIdleMs),
      "0-0",
      "COUNT",
      String(this.options.batch),
    );
    if (!Array.isArray(reply)) return 0;
    // Redis 7 reports pending ids whose entries were already trimmed away: lost, say so loudly.
    if (Array.isArray(reply[2]) && reply[2].length > 0) {
      this.logger.error(
        { channel, ids: reply[2] },
        "pending entries vanished from the stream before they were persisted",
      );
    }
    const entries = parseEntries(channel, reply[1]);
    if (entries.length === 0) return 0;
    this.logger.info({ channel, entries: entries.length }, "claimed entries of a dead persister");
    return this.persist(channel, entries);
  }

  private async checkLengths(channels: string[]): Promise<void> {
    for (const channel of channels) {
      const length = await this.redis.xlen(channelKeys(channel).stream);
      this.metrics.streamLength.set({ channel }, length);
      if (length >= this.options.maxStreamLength * 0.9) {
        this.logger.warn(
          { channel, length, cap: this.options.maxStreamLength },
          "stream near its MAXLEN safety cap: persistence is falling behind",
        );
      }
    }
  }
}

/** Entries of an XREADGROUP reply for one stream: `[[key, entries]]`. */
function entriesOf(channel: string, reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || !Array.isArray(reply[0])) return [];
  return parseEntries(channel, (reply[0] as unknown[])[1]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
