/**
 * The distributed Log on Redis Streams, one stream per channel.
 *
 * Delivery guarantee: `append` resolves after the script's XADD returned (durable as far as
 * Redis is: run it with AOF). Seqs come from a per-channel counter inside a lease recorded in
 * the Store first, so if Redis loses everything the counter restarts above every seq it could
 * have handed out (docs/api.md: never two events with one seq). Each node XREADs only the channels
 * it has subscribers for, from the seq its `watch` promised, and hands events to listeners in
 * seq order; a blocked XREAD is woken (CLIENT UNBLOCK) when a channel is added. Reads for
 * resume come from the stream, older ones from the Store (persisted by the consumer group in
 * persister.ts); a range neither can serve in full is reported incomplete.
 */

import type { EventDraft, LoggedEvent } from "@chorus/protocol";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { stampSeq } from "../../chat/events.js";
import { AppError } from "../../errors.js";
import type { AppendResult, ChannelLog, LogListener, ReadResult } from "../../ports/log.js";
import type { Store } from "../../ports/store.js";
import { parseEntries } from "./entries.js";
import { ACTIVE_CHANNELS_KEY, channelKeys, channelOfStreamKey } from "./keys.js";
import { APPEND, INSTALL_LEASE } from "./scripts.js";

export interface RedisLogOptions {
  /** Seqs reserved in the Store per lease. @default 10,000 */
  leaseSize: number;
  /** How long a dedup key (sender + nonce) is remembered. @default 600 s */
  dedupTtlSec: number;
  /** Safety cap on a stream's length (approximate MAXLEN); trimming normally follows persistence. @default 100,000 */
  maxStreamLength: number;
  /** Longest a blocking XREAD waits before looking at its channel list again. @default 2,000 ms */
  blockMs: number;
}

export class RedisLog implements ChannelLog {
  private readonly listeners = new Set<LogListener>();
  /** Watched channels: reference count and the last seq handed to listeners. */
  private readonly watched = new Map<string, { refs: number; position: number; ready: Promise<void> | null }>();
  private readonly activeMarked = new Map<string, number>();
  /** One lease extension per channel at a time on this node (concurrent appends share it). */
  private readonly leasing = new Map<string, Promise<void>>();
  private readerId: number | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly redis: Redis,
    /** A dedicated connection for the blocking XREAD. */
    private readonly reader: Redis,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: RedisLogOptions,
  ) {
    // The reader's client id (for CLIENT UNBLOCK) changes with every reconnection.
    reader.on("ready", () => {
      void this.refreshReaderId();
    });
  }

  /** Learns the reader connection's id; call once the reader is connected. */
  async start(): Promise<void> {
    await this.refreshReaderId();
  }

  async append(channel: string, draft: EventDraft, dedupKey?: string): Promise<AppendResult> {
    const keys = channelKeys(channel);
    const scriptKeys = [keys.seq, keys.ceiling, keys.stream, keys.dedup(dedupKey ?? "-")];
    const args = [
      draft.type,
      draft.at,
      JSON.stringify(draft.data),
      dedupKey ?? "",
      this.options.dedupTtlSec,
      this.options.maxStreamLength,
    ];
    for (let attempt = 0; attempt < 4; attempt++) {
      const reply = await APPEND.run(this.redis, scriptKeys, args);
      const [status, seq] = Array.isArray(reply) ? (reply as number[]) : [];
      if (status === 0 && seq !== undefined) {
        this.markActive(channel);
        return { event: stampSeq(channel, seq, draft), duplicate: false };
      }
      if (status === 1 && seq !== undefined) return { event: await this.eventAt(channel, seq), duplicate: true };
      if (status === 2 || status === 3) {
        // No counter (2) means Redis lost its data, including the persisters' channel list.
        if (status === 2) this.activeMarked.delete(channel);
        await this.extendLease(channel);
        continue;
      }
      throw new Error(`unexpected append reply ${JSON.stringify(reply)}`);
    }
    throw new AppError("unavailable", "could not obtain a seq lease, try again", 1_000);
  }

  async seen(channel: string, dedupKey: string): Promise<LoggedEvent | null> {
    const keys = channelKeys(channel);
    const [seq, restored] = await this.redis.mget(keys.dedup(dedupKey), keys.restored);
    if (seq) return this.eventAt(channel, Number(seq));
    // Redis lost its data within the dedup window: the key may only be in the store now.
    if (restored) return this.store.events.byDedupKey(channel, dedupKey, Date.now() - this.options.dedupTtlSec * 1000);
    return null;
  }

  async head(channel: string): Promise<number> {
    const seq = await this.redis.get(channelKeys(channel).seq);
    // No counter: Redis never saw the channel (or lost it); the store knows what was persisted.
    return seq === null ? this.store.events.maxSeq(channel) : Number(seq);
  }

  async read(channel: string, afterSeq: number, toSeq: number, limit: number): Promise<ReadResult> {
    const wanted = Math.max(0, toSeq - afterSeq);
    if (wanted === 0) return { events: [], complete: true };
    const count = Math.min(wanted, limit);
    const last = afterSeq + count;
    const fromStream = parseEntries(
      channel,
      await this.redis.xrange(channelKeys(channel).stream, `${afterSeq + 1}-0`, `${last}-0`),
    );
    let events = fromStream.map((e) => e.event);
    if (events[0]?.seq !== afterSeq + 1) {
      // Trimmed (or lost) from Redis: take the older part from the store, the rest from the stream.
      const stored = await this.store.events.range(channel, afterSeq, count);
      const storedTop = stored.at(-1)?.seq ?? afterSeq;
      events = [...stored, ...events.filter((e) => e.seq > storedTop)];
    }
    const contiguous = events.every((e, i) => e.seq === afterSeq + 1 + i);
    return { events, complete: contiguous && events.length === wanted };
  }

  async watch(channel: string): Promise<number> {
    const existing = this.watched.get(channel);
    if (existing) {
      existing.refs++;
      if (existing.ready) await existing.ready;
      return existing.position;
    }
    const entry: { refs: number; position: number; ready: Promise<void> | null } = {
      refs: 1,
      position: 0,
      ready: null,
    };
    this.watched.set(channel, entry);
    // Until its starting position is known the read loop leaves the channel alone.
    entry.ready = (async () => {
      const seq = await this.redis.get(channelKeys(channel).seq);
      entry.position = seq === null ? await this.store.events.maxSeq(channel) : Number(seq);
    })();
    try {
      await entry.ready;
    } catch (error) {
      this.unwatch(channel);
      throw error;
    } finally {
      entry.ready = null;
    }
    this.ensureLoop();
    await this.interruptRead();
    return entry.position;
  }

  unwatch(channel: string): void {
    const entry = this.watched.get(channel);
    if (!entry) return;
    entry.refs--;
    if (entry.refs <= 0) this.watched.delete(channel);
  }

  onEvents(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async drain(channel?: string): Promise<void> {
    const channels = channel === undefined ? [...this.activeMarked.keys()] : [channel];
    const deadline = Date.now() + 5_000;
    for (const ch of channels) {
      const keys = channelKeys(ch);
      const head = Number((await this.redis.get(keys.seq)) ?? 0);
      while (Date.now() < deadline) {
        const persisted = Number((await this.redis.get(keys.persisted)) ?? 0);
        if (persisted >= head || (await this.store.events.maxSeq(ch)) >= head) break;
        await sleep(20);
      }
    }
  }

  forget(channel: string): void {
    this.activeMarked.delete(channel);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.interruptRead();
    this.wake?.();
    await this.loop;
  }

  // ---- internals ---------------------------------------------------------------------

  private async eventAt(channel: string, seq: number): Promise<LoggedEvent> {
    const { events } = await this.read(channel, seq - 1, seq, 1);
    const event = events[0];
    if (!event) throw new Error(`event ${channel}#${seq} is no longer readable`);
    return event;
  }

  private extendLease(channel: string): Promise<void> {
    let pending = this.leasing.get(channel);
    if (!pending) {
      pending = this.installLease(channel).finally(() => this.leasing.delete(channel));
      this.leasing.set(channel, pending);
    }
    return pending;
  }

  private async installLease(channel: string): Promise<void> {
    const keys = channelKeys(channel);
    const current = Number((await this.redis.get(keys.seq)) ?? 0);
    const lease = await this.store.events.leaseSeqs(channel, current, this.options.leaseSize);
    await INSTALL_LEASE.run(this.redis, [keys.seq, keys.ceiling], [lease.from, lease.ceiling]);
    if (current === 0 && lease.from > 0) {
      await this.redis.set(keys.restored, String(Date.now()), "EX", this.options.dedupTtlSec);
      this.logger.warn(
        { channel, from: lease.from },
        "channel seq counter missing in Redis: restarting above the last lease",
      );
    }
  }

  /** Registers the channel for the persisters, at most once a minute per node. */
  private markActive(channel: string): void {
    const now = Date.now();
    if ((this.activeMarked.get(channel) ?? 0) > now - 60_000) return;
    this.activeMarked.set(channel, now);
    this.redis.sadd(ACTIVE_CHANNELS_KEY, channel).catch((error: unknown) => {
      this.activeMarked.delete(channel);
      this.logger.warn({ err: error, channel }, "could not register channel for persistence");
    });
  }

  private ensureLoop(): void {
    this.loop ??= this.readLoop().finally(() => {
      this.loop = null;
    });
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      if (![...this.watched.values()].some((w) => w.ready === null)) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.options.blockMs).unref();
        });
        this.wake = null;
        continue;
      }
      const channels = [...this.watched].filter(([, w]) => w.ready === null).map(([c]) => c);
      const ids = channels.map((c) => `${this.watched.get(c)?.position ?? 0}-0`);
      try {
        const reply = await this.reader.call(
          "XREAD",
          "COUNT",
          "2000",
          "BLOCK",
          String(this.options.blockMs),
          "STREAMS",
          ...channels.map((c) => channelKeys(c).stream),
          ...ids,
        );
        failures = 0;
        this.dispatch(reply);
      } catch (error) {
        if (this.closed) return;
        failures++;
        // Unblocked on purpose (a new channel) or Redis away: retry, backing off on real failures.
        if (!(error instanceof Error && error.message.includes("UNBLOCKED"))) {
          if (failures === 1) this.logger.warn({ err: error }, "redis log read failed; retrying");
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2));
        }
      }
    }
  }

  private dispatch(reply: unknown): void {
    if (!Array.isArray(reply)) return;
    for (const item of reply) {
      if (!Array.isArray(item) || typeof item[0] !== "string") continue;
      const channel = channelOfStreamKey(item[0]);
      if (channel === null) continue;
      const watch = this.watched.get(channel);
      if (!watch) continue;
      const events = parseEntries(channel, item[1])
        .filter((e) => e.seq > watch.position)
        .map((e) => e.event);
      if (events.length === 0) continue;
      watch.position = events.at(-1)?.seq ?? watch.position;
      for (const listener of this.listeners) listener(channel, events);
    }
  }

  private async refreshReaderId(): Promise<void> {
    try {
      this.readerId = Number(await this.reader.client("ID"));
    } catch {
      this.readerId = null;
    }
  }

  /** Wakes a blocked XREAD so that it picks up a newly watched channel at once. */
  private async interruptRead(): Promise<void> {
    this.wake?.();
    // Unknown id (reconnecting): the XREAD's block timeout picks the channel up instead.
    if (this.readerId === null) return;
    await this.redis.client("UNBLOCK", this.readerId, "ERROR").catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
