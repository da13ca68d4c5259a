/**
 * Persistence of the Redis log into the Store, shared by every node through one consumer
 * group per channel stream (XREADGROUP, see stream-group.ts). Inserts are idempotent (unique
 * channel + seq), so an entry stored twice — a node died between insert and XACK — is stored
 * once. Entries left pending by a dead node are claimed (XAUTOCLAIM) after `claimIdleMs`.
 * A batch the store refuses for a reason other than an outage is split until only the rows
 * it refuses are left (one row PostgreSQL cannot hold must not hold back the others); a row
 * that fails `maxAttempts` times goes to the channel's dead-letter stream. After each batch
 * the persisted watermark rises and the stream is trimmed to the recent window behind it,
 * never past an entry some consumer group (this one or a cluster-wide Consumer) still
 * needs: a group that stops reading therefore holds the stream up to its MAXLEN cap.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { isUnavailableError } from "../../errors.js";
import type { Metrics } from "../../metrics.js";
import type { Store } from "../../ports/store.js";
import type { StreamEntry } from "./entries.js";
import { channelKeys, PERSIST_GROUP } from "./keys.js";
import { RAISE_WATERMARK } from "./scripts.js";
import { ActiveChannels, StreamGroup, trimFloor } from "./stream-group.js";

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
  private readonly group: StreamGroup;
  private readonly channels: ActiveChannels;
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
  ) {
    this.group = new StreamGroup(redis, PERSIST_GROUP, options.consumer, options.batch, logger);
    this.channels = new ActiveChannels(redis);
  }

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
    const channels = await this.channels.list();
    let stored = 0;
    // Our own unacknowledged entries (an insert failed) are retried before anything new.
    for (const channel of [...this.retry]) {
      const entries = await this.group.readPending(channel);
      if (entries.length === 0) this.retry.delete(channel);
      else stored += await this.persist(channel, entries);
    }
    for (const [channel, entries] of await this.group.readNew(channels)) {
      stored += await this.persist(channel, entries);
    }
    const now = Date.now();
    if (now - this.lastClaim >= this.options.claimIdleMs / 2) {
      this.lastClaim = now;
      for (const channel of channels) {
        const entries = await this.group.claim(channel, this.options.claimIdleMs);
        if (entries.length === 0) continue;
        this.logger.info({ channel, entries: entries.length }, "claimed entries of a dead persister");
        stored += await this.persist(channel, entries);
      }
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

  /** Stores what the store accepts, acknowledges it, and counts a failure against the rest. */
  private async persist(channel: string, entries: StreamEntry[]): Promise<number> {
    const keys = channelKeys(channel);
    let stored: StreamEntry[];
    let refused: { entries: StreamEntry[]; error: unknown } | null;
    try {
      ({ stored, refused } = await this.insertIsolating(entries));
      if (stored.length > 0) await this.store.events.flush(); // durable before XACK (a no-op on PostgreSQL)
    } catch (error) {
      // The store is away: not the entries' fault. Back off and retry them all later; only
      // errors that recur with a reachable store count towards the dead-letter limit.
      this.retry.add(channel);
      if (isUnavailableError(error)) throw error;
      await this.countFailure(channel, entries, error);
      return 0;
    }
    if (refused) {
      this.retry.add(channel);
      await this.countFailure(channel, refused.entries, refused.error);
    }
    if (stored.length === 0) return 0;
    await this.group.ack(
      channel,
      stored.map((e) => e.seq),
    );
    for (const e of stored) this.attempts.delete(`${channel}:${e.seq}`);
    const top = Math.max(...stored.map((e) => e.seq));
    const persisted = Number(await RAISE_WATERMARK.run(this.redis, [keys.persisted], [top]));
    // Never trim past an entry a consumer group still needs (this group's pending entries are
    // not in the store yet, and a trimmed pending entry vanishes from the group as well).
    let keepFrom = persisted - this.options.recentWindow + 1;
    const floor = await trimFloor(this.redis, channel);
    if (floor > 0) keepFrom = Math.min(keepFrom, floor);
    if (keepFrom > 1) await this.redis.xtrim(keys.stream, "MINID", "~", `${keepFrom}-0`);
    return stored.length;
  }

  /**
   * Inserts the entries; when the store refuses them for a reason other than an outage (a row
   * it cannot hold), halves the batch and tries each half, so only the refused rows are left
   * (k bad rows cost O(k log n) extra statements). An outage is thrown: nothing is the rows'
   * fault then.
   */
  private async insertIsolating(
    entries: StreamEntry[],
  ): Promise<{ stored: StreamEntry[]; refused: { entries: StreamEntry[]; error: unknown } | null }> {
    try {
      await this.store.events.append(entries.map((e) => ({ event: e.event, dedupKey: e.dedupKey })));
      return { stored: entries, refused: null };
    } catch (error) {
      if (isUnavailableError(error)) throw error;
      if (entries.length === 1) return { stored: [], refused: { entries, error } };
    }
    const half = Math.ceil(entries.length / 2);
    const first = await this.insertIsolating(entries.slice(0, half));
    const second = await this.insertIsolating(entries.slice(half));
    const refused = [...(first.refused?.entries ?? []), ...(second.refused?.entries ?? [])];
    return {
      stored: [...first.stored, ...second.stored],
      refused: refused.length > 0 ? { entries: refused, error: first.refused?.error ?? second.refused?.error } : null,
    };
  }

  private async countFailure(channel: string, entries: StreamEntry[], error: unknown): Promise<void> {
    const keys = channelKeys(channel);
    const dead: StreamEntry[] = [];
    for (const entry of entries) {
      const id = `${channel}:${entry.seq}`;
      const n = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, n);
      if (n >= this.options.maxAttempts) dead.push(entry);
    }
    this.logger.warn(
      { err: error, channel, entries: entries.length, seqs: entries.slice(0, 10).map((e) => e.seq) },
      "persisting entries failed; will retry",
    );
    for (const entry of dead) {
      await this.redis.xadd(keys.dead, "*", "seq", String(entry.seq), "event", JSON.stringify(entry.event));
      await this.group.ack(channel, [entry.seq]);
      this.attempts.delete(`${channel}:${entry.seq}`);
      this.logger.error({ channel, seq: entry.seq }, "entry dead-lettered after repeated persistence failures");
    }
  }

  private async checkLengths(channels: string[]): Promise<void> {
    for (const channel of channels) {
      const length = await this.redis.xlen(channelKeys(channel).stream);
      this.metrics.streamLength.set({ channel }, length);
      if (length >= this.options.maxStreamLength * 0.9) {
        this.logger.warn(
          { channel, length, cap: this.options.maxStreamLength },
          "stream near its MAXLEN safety cap: persistence or a consumer group is falling behind",
        );
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
