/**
 * The embedded Log: seqs are assigned in process and made durable by group commit into the
 * Store (one transaction for every append of a few milliseconds). Delivery guarantee: an
 * event reaches listeners once, in seq order, after its transaction committed; a failed
 * commit rejects its appends and consumes no seq. Seq heads are restored from the Store
 * (including tombstones of deleted channels) when the log opens, so a restart never hands
 * out a seq twice. Single-node only: the Redis log replaces it in a cluster.
 */
import type { EventDraft, LoggedEvent } from "@chorus/protocol";
import { stampSeq } from "../../chat/events.js";
import { AppError, isUnavailableError } from "../../errors.js";
import type { AppendResult, ChannelLog, LogListener, ReadResult } from "../../ports/log.js";
import type { PersistedEvent, Store } from "../../ports/store.js";

export interface EmbeddedLogOptions {
  /** Events per channel kept in memory for fast resume. @default 1000 */
  recentWindow: number;
  /**
   * How long the first append of a batch waits for others to share its commit; 0 = commit
   * in the check phase of the current event-loop turn. @default 0
   */
  commitDelayMs: number;
  /** How long a dedup key (sender + nonce) is remembered. @default 10 minutes */
  dedupWindowMs: number;
  /** Most dedup keys remembered; the oldest are forgotten first. @default 200,000 */
  dedupMaxKeys: number;
  /** Most events in one commit. @default 5,000 */
  maxBatch: number;
}

interface PendingAppend {
  channel: string;
  draft: EventDraft;
  dedupKey: string | null;
  resolve: (event: LoggedEvent) => void;
  reject: (error: unknown) => void;
}

type DedupEntry =
  | { at: number; channel: string; seq: number; event: LoggedEvent | null }
  | { at: number; inflight: Promise<LoggedEvent> };

export class EmbeddedLog implements ChannelLog {
  private readonly heads = new Map<string, number>();
  private readonly windows = new Map<string, LoggedEvent[]>();
  private readonly dedup = new Map<string, DedupEntry>();
  private readonly listeners = new Set<LogListener>();
  private pending: PendingAppend[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** Settles when every commit so far has been synced (or failed to). */
  private durable: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly store: Store,
    private readonly options: EmbeddedLogOptions,
  ) {}

  static async open(store: Store, options: Partial<EmbeddedLogOptions> = {}): Promise<EmbeddedLog> {
    const log = new EmbeddedLog(store, {
      recentWindow: options.recentWindow ?? 1000,
      commitDelayMs: options.commitDelayMs ?? 0,
      dedupWindowMs: options.dedupWindowMs ?? 10 * 60_000,
      dedupMaxKeys: options.dedupMaxKeys ?? 200_000,
      maxBatch: options.maxBatch ?? 5_000,
    });
    for (const [channel, seq] of await store.events.maxSeqs()) log.heads.set(channel, seq);
    const now = Date.now();
    for (const { key, channel, seq } of await store.events.recentDedupKeys(now - log.options.dedupWindowMs)) {
      log.dedup.set(key, { at: now, channel, seq, event: null });
    }
    return log;
  }

  async append(channel: string, draft: EventDraft, dedupKey?: string): Promise<AppendResult> {
    // Shutting down: the client retries (with its nonce) against the next process.
    if (this.closed) throw new AppError("unavailable", "the server is shutting down, try again", 1_000);
    if (dedupKey !== undefined) {
      const seen = this.remembered(dedupKey);
      if (seen) return { event: await this.resolveDuplicate(seen), duplicate: true };
    }
    const promise = new Promise<LoggedEvent>((resolve, reject) => {
      this.pending.push({ channel, draft, dedupKey: dedupKey ?? null, resolve, reject });
    });
    if (dedupKey !== undefined) {
      this.dedup.set(dedupKey, { at: Date.now(), inflight: promise });
      this.evictDedup();
      // A failed commit must not leave the key behind: the client's retry has to go through.
      promise.catch(() => {
        // Only the in-flight marker goes: an event that was committed (then failed to sync)
        // stays findable, so the retry is answered with it instead of appending it twice.
        const entry = this.dedup.get(dedupKey);
        if (entry && "inflight" in entry && entry.inflight === promise) this.dedup.delete(dedupKey);
      });
    }
    this.schedule();
    return { event: await promise, duplicate: false };
  }

  async seen(_channel: string, dedupKey: string): Promise<LoggedEvent | null> {
    const entry = this.remembered(dedupKey);
    return entry ? this.resolveDuplicate(entry) : null;
  }

  /** The key's entry while it is inside the dedup window (eviction runs only on appends). */
  private remembered(dedupKey: string): DedupEntry | undefined {
    const entry = this.dedup.get(dedupKey);
    if (!entry || "inflight" in entry || entry.at >= Date.now() - this.options.dedupWindowMs) return entry;
    this.dedup.delete(dedupKey);
    return undefined;
  }

  async head(channel: string): Promise<number> {
    return this.currentHead(channel);
  }

  private currentHead(channel: string): number {
    return this.heads.get(channel) ?? 0;
  }

  async read(channel: string, afterSeq: number, toSeq: number, limit: number): Promise<ReadResult> {
    const wanted = Math.max(0, toSeq - afterSeq);
    if (wanted === 0) return { events: [], complete: true };
    const count = Math.min(wanted, limit);
    const window = this.windows.get(channel);
    const first = window?.[0];
    let events: LoggedEvent[];
    if (window && first && first.seq <= afterSeq + 1) {
      const start = afterSeq + 1 - first.seq;
      events = window.slice(start, start + count);
    } else {
      events = await this.store.events.range(channel, afterSeq, count);
    }
    const contiguous = events.every((e, i) => e.seq === afterSeq + 1 + i);
    return { events, complete: contiguous && events.length === wanted };
  }

  async watch(channel: string): Promise<number> {
    // Embedded: every event is local and listeners see each one after its head moved.
    return this.currentHead(channel);
  }

  unwatch(): void {}

  onEvents(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else this.flushNow();
    }
    await this.durable;
  }

  forget(channel: string): void {
    this.windows.delete(channel);
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }

  private async resolveDuplicate(entry: DedupEntry): Promise<LoggedEvent> {
    if ("inflight" in entry) return entry.inflight;
    if (entry.event) return entry.event;
    const { events } = await this.read(entry.channel, entry.seq - 1, entry.seq, 1);
    const event = events[0];
    if (!event) throw new Error("deduplicated event is no longer readable");
    entry.event = event;
    return event;
  }

  private schedule(): void {
    if (this.timer || this.immediate || this.flushing) return;
    if (this.options.commitDelayMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushNow();
      }, this.options.commitDelayMs);
      return;
    }
    // Default: commit in this turn's check phase — every append the poll phase just read
    // shares the commit, and the fan-out of the result follows in the same turn. A timer
    // would wait for the next turn, i.e. behind a whole fan-out flush under load.
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.flushNow();
    });
  }

  private flushNow(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      await this.commit(batch);
    }
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    const committed = await this.insertIsolating(batch);
    if (committed.length === 0) return;
    this.publish(committed);
  }

  /**
   * Inserts a batch; when the store refuses it for a reason other than an outage (a row it
   * cannot hold), the batch is split in halves and each retried, so only the rows the store
   * refuses fail and everyone else's messages commit (k bad rows cost O(k log n) extra
   * transactions). Seqs are stamped per attempt, so a refused row consumes none and the
   * channel's seqs stay contiguous. Resolves with the committed rows, in order.
   */
  private async insertIsolating(batch: PendingAppend[]): Promise<Array<{ p: PendingAppend; event: LoggedEvent }>> {
    const nextHeads = new Map<string, number>();
    const persisted: PersistedEvent[] = batch.map((p) => {
      const seq = (nextHeads.get(p.channel) ?? this.currentHead(p.channel)) + 1;
      nextHeads.set(p.channel, seq);
      return { event: stampSeq(p.channel, seq, p.draft), dedupKey: p.dedupKey };
    });
    try {
      await this.store.events.append(persisted);
    } catch (error) {
      if (batch.length === 1 || isUnavailableError(error)) {
        for (const p of batch) p.reject(error);
        return [];
      }
      const half = Math.ceil(batch.length / 2);
      const first = await this.insertIsolating(batch.slice(0, half));
      return first.concat(await this.insertIsolating(batch.slice(half)));
    }
    for (const [channel, seq] of nextHeads) this.heads.set(channel, seq);
    return batch.map((p, i) => ({ p, event: (persisted[i] as PersistedEvent).event }));
  }

  private publish(committed: Array<{ p: PendingAppend; event: LoggedEvent }>): void {
    const byChannel = new Map<string, LoggedEvent[]>();
    for (const { p, event } of committed) {
      // The key remembers where the event is, not the event: holding every event of the
      // dedup window (10 minutes) kept ~400 MiB of live heap at 100 msg/s in the soak. A
      // duplicate, which is rare, reads its original back (the recent window, else the store).
      if (p.dedupKey !== null)
        this.dedup.set(p.dedupKey, { at: Date.now(), channel: p.channel, seq: event.seq, event: null });
      const list = byChannel.get(p.channel);
      if (list) list.push(event);
      else byChannel.set(p.channel, [event]);
    }
    for (const [channel, events] of byChannel) this.remember(channel, events);
    // Committed and visible: fan out now, in this turn, while the disk sync runs off the event
    // loop. Only the acks wait for the sync. Should the machine die before it completes, the
    // viewers saw seqs the restarted log no longer has, and their resume says recovered:false.
    for (const [channel, events] of byChannel) for (const listener of this.listeners) listener(channel, events);
    // The next batch may commit while this one syncs (syncs complete in order, and a later one
    // covers the earlier WAL anyway): waiting here halved REST ingest.
    this.durable = this.store.events.flush().then(
      () => {
        for (const { p, event } of committed) p.resolve(event);
      },
      (error: unknown) => {
        // Visible but perhaps not durable: the senders are told it failed; a retry with the
        // same nonce finds the event (dedup) and is acked once a later sync succeeded.
        for (const { p } of committed) p.reject(error);
      },
    );
  }

  private remember(channel: string, events: LoggedEvent[]): void {
    const size = this.options.recentWindow;
    if (size === 0) return;
    const window = this.windows.get(channel) ?? [];
    if (window.length === 0) this.windows.set(channel, window);
    window.push(...events);
    // Trim in bulk (amortised O(1) per event) rather than shifting on every push.
    if (window.length > size * 2) this.windows.set(channel, window.slice(window.length - size));
  }

  private evictDedup(): void {
    const oldest = Date.now() - this.options.dedupWindowMs;
    for (const [key, entry] of this.dedup) {
      if (this.dedup.size <= this.options.dedupMaxKeys && entry.at >= oldest) break;
      this.dedup.delete(key);
    }
  }
}
