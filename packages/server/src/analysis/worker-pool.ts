/**
 * Sentiment analysis off the event loop: a pool of worker threads that the fan-out path asks
 * without ever waiting on. analyze() answers at once with undefined when the pool is saturated,
 * and otherwise within timeoutMs (undefined when the answer would be late or the worker died),
 * so a message is never held back by its sentiment.
 *
 * Requests queued in one event-loop turn go to each worker as one batch (flushed on
 * setImmediate), to the worker with the fewest unanswered requests. A channel's custom emote map
 * is sent to a worker once, under an id, and requests refer to it.
 */
import type { Sentiment } from "@chorus/protocol";
import {
  Op,
  spawnSentimentWorker,
  type Transport,
  type WorkerChannel,
  type WorkerOp,
  wallNow,
} from "./sentiment-worker.js";

export type SentimentPoolEvent = "saturated" | "timeout" | "worker_crashed" | "worker_replaced";

export interface SentimentPoolOptions {
  workers: number;
  /** Requests waiting or in flight beyond which analyze() answers undefined at once (saturated). Default 1024. */
  maxPending?: number;
  /** A request not answered within this many ms resolves undefined (the message goes out without sentiment). Default 50. */
  timeoutMs?: number;
  /**
   * How requests reach the workers. postMessage (batched) is the default because the ring buffer
   * did not beat it in `npm run bench:sentiment-pool` (2 cores, 1 worker, real analyser, quiet
   * runs): max 135–141k vs 94–135k messages/s, event-loop delay p99 at 5,000/s 1.43–1.47 vs
   * 1.50–1.63 ms, request latency p99 0.49–0.56 vs 0.61–0.63 ms. With the analyser costing
   * ~5 µs a message, batching already makes the transport's share small.
   */
  transport?: Transport;
  onEvent?: (event: SentimentPoolEvent) => void;
  /**
   * A ready worker that has had unanswered requests and answered none for this long is taken
   * as hung (say a runaway regex) and replaced. Default 10,000 ms.
   */
  hangMs?: number;
  /**
   * Test hook: the URL of a module exporting an analyzeSentiment that the workers use instead of
   * the real one (a stand-in whose answers depend on the text shows each answer reaches its own
   * request).
   */
  analyserForTest?: string;
}

export interface SentimentPool {
  /** Never rejects, never blocks: the sentiment, or undefined when saturated, timed out, or the worker died. */
  analyze(text: string, customEmotes?: Readonly<Record<string, number>>): Promise<Sentiment | undefined>;
  /** Requests waiting or in flight now. */
  readonly pending: number;
  close(): Promise<void>;
}

export const SENTIMENT_POOL_DEFAULTS = {
  maxPending: 1024,
  timeoutMs: 50,
  transport: "postMessage",
  hangMs: 10_000,
} as const satisfies Omit<Required<SentimentPoolOptions>, "workers" | "onEvent" | "analyserForTest">;

export function createSentimentPool(options: SentimentPoolOptions): SentimentWorkerPool {
  return new SentimentWorkerPool(options);
}

interface Pending {
  readonly id: number;
  readonly slot: Slot;
  readonly deadline: number;
  readonly resolve: (sentiment: Sentiment | undefined) => void;
  settled: boolean;
}

interface Slot {
  readonly index: number;
  channel: WorkerChannel | undefined;
  ready: Promise<void>;
  isReady: boolean;
  startedAt: number;
  /** Requests sent (or queued) to this worker and not answered, including timed-out ones: its backlog. */
  outstanding: number;
  lastProgress: number;
  readonly inflight: Map<number, Pending>;
  outbox: WorkerOp[];
  /** Emote map ids this worker holds. */
  readonly emotes: Set<number>;
  fastCrashes: number;
  respawnTimer: NodeJS.Timeout | undefined;
}

const NONE: Promise<undefined> = Promise.resolve(undefined);
/** Emote maps remembered (by content) before the oldest is dropped. */
const EMOTE_MAPS_KEPT = 512;
/** A worker dying sooner than this after its start counts towards the respawn backoff. */
const FAST_CRASH_MS = 2_000;
const RESPAWN_BACKOFF_MAX_MS = 5_000;

export class SentimentWorkerPool implements SentimentPool {
  private readonly maxPending: number;
  private readonly timeoutMs: number;
  private readonly hangMs: number;
  private readonly transport: Transport;
  private readonly analyserForTest: string | undefined;
  private readonly onEvent: ((event: SentimentPoolEvent) => void) | undefined;
  private readonly slots: Slot[];
  private readonly emoteMaps: EmoteMaps;
  private readonly deadlines = new Fifo<Pending>();
  private pendingCount = 0;
  private nextId = 1;
  private nextSlot = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: SentimentPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
    }
    this.maxPending = options.maxPending ?? SENTIMENT_POOL_DEFAULTS.maxPending;
    this.timeoutMs = options.timeoutMs ?? SENTIMENT_POOL_DEFAULTS.timeoutMs;
    this.hangMs = options.hangMs ?? SENTIMENT_POOL_DEFAULTS.hangMs;
    this.transport = options.transport ?? SENTIMENT_POOL_DEFAULTS.transport;
    this.onEvent = options.onEvent;
    this.analyserForTest = options.analyserForTest;
    this.emoteMaps = new EmoteMaps(EMOTE_MAPS_KEPT, (id) => this.forgetEmotes(id));
    this.slots = Array.from({ length: options.workers }, (_, index) => {
      const slot: Slot = {
        index,
        channel: undefined,
        ready: NONE.then(),
        isReady: false,
        startedAt: 0,
        outstanding: 0,
        lastProgress: 0,
        inflight: new Map(),
        outbox: [],
        emotes: new Set(),
        fastCrashes: 0,
        respawnTimer: undefined,
      };
      this.spawn(slot);
      return slot;
    });
  }

  get pending(): number {
    return this.pendingCount;
  }

  analyze(text: string, customEmotes?: Readonly<Record<string, number>>): Promise<Sentiment | undefined> {
    return new Promise((resolve) => {
      if (!this.enqueue(text, customEmotes, resolve)) resolve(undefined);
    });
  }

  /**
   * The answer now, in this event-loop turn: the request goes to a worker at once and this
   * thread waits at most `budgetMs` for the answer — a few tens of microseconds when a core is
   * free — then goes on without it. Ring transport only (with postMessage an answer can only
   * arrive in a later turn: undefined). An answer that arrives in a later turn costs a message
   * a whole turn of a busy server, tens of milliseconds under fan-out load (BENCHMARKS.md);
   * this costs at most the budget.
   */
  analyzeNow(
    text: string,
    customEmotes: Readonly<Record<string, number>> | undefined,
    budgetMs: number,
  ): Sentiment | undefined {
    let answer: Sentiment | undefined;
    const pending = this.enqueue(text, customEmotes, (sentiment) => {
      answer = sentiment;
    });
    const collect = pending?.slot.channel?.collect;
    if (!pending || !collect) {
      if (pending && !pending.settled) this.abandon(pending);
      return undefined;
    }
    this.flush();
    collect(wallNow() + budgetMs, () => pending.settled);
    if (!pending.settled) this.abandon(pending);
    return answer;
  }

  /** Gives up on a request now; its answer, should it come, is ignored. */
  private abandon(pending: Pending): void {
    pending.slot.inflight.delete(pending.id);
    this.settle(pending, undefined);
    this.emit("timeout");
  }

  /** Queues a request for a worker; null when none can take it (saturated, none alive, too long). */
  private enqueue(
    text: string,
    customEmotes: Readonly<Record<string, number>> | undefined,
    resolve: (sentiment: Sentiment | undefined) => void,
  ): Pending | null {
    if (this.closing) return null;
    if (this.pendingCount >= this.maxPending) {
      this.emit("saturated");
      return null;
    }
    const slot = this.pick();
    const channel = slot?.channel;
    if (!slot || !channel || text.length > channel.maxText) return null;
    let emotes = -1;
    if (customEmotes) {
      const map = this.emoteMaps.intern(customEmotes);
      if (map) {
        if (map.json.length > channel.maxText) return null;
        emotes = map.id;
        if (!slot.emotes.has(map.id)) {
          slot.emotes.add(map.id);
          slot.outbox.push({ op: Op.defineEmotes, id: map.id, emotes: -1, deadline: 0, text: map.json });
        }
      }
    }
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    const deadline = wallNow() + this.timeoutMs;
    const pending: Pending = { id, slot, deadline, resolve, settled: false };
    slot.inflight.set(id, pending);
    if (slot.outstanding++ === 0) slot.lastProgress = wallNow();
    this.pendingCount++;
    slot.outbox.push({ op: Op.analyze, id, emotes, deadline, text });
    this.deadlines.push(pending);
    if (!this.timer) this.armTimer();
    this.scheduleFlush();
    return pending;
  }

  /** Resolves once every worker has loaded the analyser (requests sent before then may time out). */
  whenReady(): Promise<void> {
    return Promise.all(this.slots.map((slot) => slot.ready)).then(() => undefined);
  }

  close(): Promise<void> {
    if (!this.closing) {
      clearTimeout(this.timer);
      clearTimeout(this.retryTimer);
      const channels: WorkerChannel[] = [];
      for (const slot of this.slots) {
        clearTimeout(slot.respawnTimer);
        if (slot.channel) channels.push(slot.channel);
        slot.channel = undefined;
        this.failInflight(slot);
      }
      this.closing = Promise.all(channels.map((channel) => channel.terminate())).then(() => undefined);
    }
    return this.closing;
  }

  /**
   * Test hook: makes worker `index` die — by throwing from its message handling, by calling
   * process.exit, or by being terminated from outside.
   */
  crashWorkerForTest(index: number, how: "throw" | "exit" | "terminate" = "throw"): void {
    const slot = this.slotAt(index);
    if (how === "terminate") {
      void slot.channel?.terminate();
      return;
    }
    slot.outbox.push({ op: how === "throw" ? Op.crash : Op.exit, id: 0, emotes: -1, deadline: 0, text: "" });
    this.scheduleFlush();
  }

  /** Test hook: blocks worker `index` for `ms` (as a slow analyser would), after what is queued for it. */
  stallWorkerForTest(index: number, ms: number): void {
    this.slotAt(index).outbox.push({ op: Op.stall, id: ms, emotes: -1, deadline: 0, text: "" });
    this.scheduleFlush();
  }

  private slotAt(index: number): Slot {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`no worker ${index}`);
    return slot;
  }

  /** The ready worker with the smallest backlog (a starting one if none is ready). */
  private pick(): Slot | undefined {
    const count = this.slots.length;
    let best: Slot | undefined;
    // Starting the scan one further each time spreads ties.
    const start = this.nextSlot;
    this.nextSlot = (start + 1) % count;
    for (let k = 0; k < count; k++) {
      const slot = this.slots[(start + k) % count]!;
      if (!slot.channel) continue;
      if (
        !best ||
        (slot.isReady && !best.isReady) ||
        (slot.isReady === best.isReady && slot.outstanding < best.outstanding)
      ) {
        best = slot;
      }
    }
    return best;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.retryTimer = undefined;
    let blocked = false;
    for (const slot of this.slots) {
      const channel = slot.channel;
      if (!channel || slot.outbox.length === 0) continue;
      const sent = channel.send(slot.outbox);
      if (sent === slot.outbox.length) {
        slot.outbox = [];
      } else {
        // A full ring: the rest waits for the worker to read (and may time out meanwhile).
        slot.outbox.splice(0, sent);
        blocked = true;
      }
    }
    if (blocked && !this.closing) this.retryTimer = setTimeout(this.flush, 1).unref();
  };

  private spawn(slot: Slot): void {
    let markReady = (): void => {};
    slot.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    const channel = spawnSentimentWorker(
      this.transport,
      {
        answer: (id, sentiment) => {
          if (slot.channel === channel) this.onAnswer(slot, id, sentiment);
        },
        ready: () => {
          if (slot.channel === channel) {
            slot.isReady = true;
            slot.lastProgress = wallNow();
          }
          markReady();
        },
        exit: () => {
          markReady();
          this.onExit(slot, channel);
        },
      },
      this.analyserForTest,
    );
    slot.channel = channel;
    slot.isReady = false;
    slot.startedAt = wallNow();
  }

  private onAnswer(slot: Slot, id: number, sentiment: Sentiment | undefined): void {
    slot.outstanding--;
    slot.lastProgress = wallNow();
    const pending = slot.inflight.get(id);
    if (!pending) return;
    slot.inflight.delete(id);
    this.settle(pending, sentiment);
  }

  private onExit(slot: Slot, channel: WorkerChannel): void {
    if (slot.channel !== channel) return;
    slot.channel = undefined;
    slot.isReady = false;
    if (this.closing) return;
    this.emit("worker_crashed");
    this.failInflight(slot);
    slot.outbox = [];
    slot.emotes.clear();
    slot.outstanding = 0;
    slot.fastCrashes = wallNow() - slot.startedAt < FAST_CRASH_MS ? slot.fastCrashes + 1 : 0;
    // A worker that dies as it starts (say a broken import) would otherwise respawn in a tight loop.
    const delay = slot.fastCrashes <= 1 ? 0 : Math.min(100 * 2 ** (slot.fastCrashes - 2), RESPAWN_BACKOFF_MAX_MS);
    const replace = (): void => {
      slot.respawnTimer = undefined;
      if (this.closing) return;
      this.spawn(slot);
      this.emit("worker_replaced");
    };
    if (delay === 0) replace();
    else slot.respawnTimer = setTimeout(replace, delay).unref();
  }

  private failInflight(slot: Slot): void {
    for (const pending of slot.inflight.values()) this.settle(pending, undefined);
    slot.inflight.clear();
  }

  private settle(pending: Pending, sentiment: Sentiment | undefined): void {
    pending.settled = true;
    this.pendingCount--;
    pending.resolve(sentiment);
  }

  /** One timer for all requests: they share timeoutMs, so deadlines come in request order. */
  private armTimer(): void {
    const head = this.deadlines.peek();
    if (!head) return;
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(head.deadline - wallNow())));
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = wallNow();
    for (let head = this.deadlines.peek(); head; head = this.deadlines.peek()) {
      if (!head.settled) {
        if (head.deadline > now) break;
        head.slot.inflight.delete(head.id);
        this.settle(head, undefined);
        this.emit("timeout");
      }
      this.deadlines.shift();
    }
    for (const slot of this.slots) {
      if (slot.channel && slot.isReady && slot.outstanding > 0 && now - slot.lastProgress > this.hangMs) {
        slot.lastProgress = now;
        void slot.channel.terminate();
      }
    }
    if (!this.closing) this.armTimer();
  };

  private forgetEmotes(id: number): void {
    for (const slot of this.slots) {
      if (slot.emotes.delete(id)) {
        slot.outbox.push({ op: Op.forgetEmotes, id, emotes: -1, deadline: 0, text: "" });
        this.scheduleFlush();
      }
    }
  }

  private emit(event: SentimentPoolEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // A failing metrics hook must not turn into a failed (or thrown) analyze().
    }
  }
}

interface EmoteMap {
  readonly id: number;
  readonly json: string;
  live: boolean;
}

/**
 * Emote maps by content (so a channel's map keeps its id however often its settings object is
 * rebuilt) and, as a shortcut, by identity. The oldest is dropped past `limit`; workers are told.
 */
class EmoteMaps {
  private readonly byContent = new Map<string, EmoteMap>();
  private readonly byObject = new WeakMap<object, EmoteMap>();
  private nextId = 0;

  constructor(
    private readonly limit: number,
    private readonly onDrop: (id: number) => void,
  ) {}

  /** The map's id and JSON; undefined for an empty map (the same as none). */
  intern(emotes: Readonly<Record<string, number>>): EmoteMap | undefined {
    const known = this.byObject.get(emotes);
    if (known?.live) return known;
    const names = Object.keys(emotes);
    if (names.length === 0) return undefined;
    names.sort();
    const json = JSON.stringify(names.map((name) => [name, emotes[name]]));
    let map = this.byContent.get(json);
    if (!map) {
      map = { id: this.nextId++, json, live: true };
      this.byContent.set(json, map);
      if (this.byContent.size > this.limit) {
        const [oldestJson, oldest] = this.byContent.entries().next().value!;
        this.byContent.delete(oldestJson);
        oldest.live = false;
        this.onDrop(oldest.id);
      }
    }
    this.byObject.set(emotes, map);
    return map;
  }
}

/** A queue with O(1) shift (Array#shift copies). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
