/**
 * One channel's analysis, run by the one node that holds the channel's analysis lease: it
 * reads the channel's log strictly in seq order (first the recent past, then live), keeps the
 * rolling stats, writes a `summary` event after every `summaryEvery` messages, and records
 * chat spikes as highlights of the live broadcast.
 *
 * What must survive a failover lives in the log or the store, never only here: the summary
 * count restarts from the last summary event (summary-cadence.ts), a summary is appended with
 * a dedup key made of the seq it covers (a late append from a leader that just lost its lease
 * is recognised as a repeat), and highlights are keyed by their moment.
 */
import type { ChannelStats, LoggedEvent, Message } from "@chorus/protocol";
import type { Logger } from "pino";
import type { ChannelLog } from "../ports/log.js";
import type { Store } from "../ports/store.js";
import { DEFAULT_SPIKE_OPTIONS, SpikeDetector } from "./spikes.js";
import { StatsWindow, type TextFeatures } from "./stats-window.js";
import type { SummaryInput } from "./summariser.js";
import { type Due, SummaryCadence } from "./summary-cadence.js";
import { emoteNames, terms } from "./text-features.js";

/** Events read back on takeover, at most: enough for a 5-minute window of a busy channel. */
const REPLAY_MAX = 20_000;
const READ_CHUNK = 1_000;

export interface AnalystSettings {
  summaryEvery: number;
  summaryWindow: number;
  sentimentEmotes: Readonly<Record<string, number>>;
}

export interface AnalystDeps {
  log: ChannelLog;
  store: Store;
  /** The channel's current analysis settings (cached; changes apply from the next message). */
  settings(channel: string): Promise<AnalystSettings>;
  viewers(channel: string): Promise<number>;
  summarise(input: SummaryInput): Promise<string>;
  publishStats(channel: string, stats: ChannelStats): void;
  onHighlight?(channel: string): void;
  logger: Logger;
  now(): number;
}

export interface AnalystOptions {
  windowMs: number;
  /** How long after its last message a channel's analyst keeps going before it stops. */
  idleMs: number;
  /** Spike buckets' length (10 s; shorter in tests). */
  spikeBucketMs: number;
}

export class ChannelAnalyst {
  private readonly cadence = new SummaryCadence();
  private readonly spikes: SpikeDetector;
  private readonly window: StatsWindow;
  private customEmotes = new Set<string>();
  private settings: AnalystSettings = { summaryEvery: 20, summaryWindow: 100, sentimentEmotes: {} };
  private lastSeq = 0;
  private lastMessageAt = 0;
  /** Events heard live while the past was still being read. */
  private buffered: LoggedEvent[] | null = [];
  /** Events are handled one batch at a time, in order; summaries are written one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private summaries: Promise<void> = Promise.resolve();
  private published = false;
  private stopped = false;

  constructor(
    readonly channel: string,
    private readonly deps: AnalystDeps,
    private readonly options: AnalystOptions,
  ) {
    const features: TextFeatures = {
      emotes: (m) => emoteNames(m, this.customEmotes),
      terms: (m) => terms(m, this.customEmotes),
    };
    this.spikes = new SpikeDetector({ ...DEFAULT_SPIKE_OPTIONS, bucketMs: options.spikeBucketMs });
    this.window = new StatsWindow(features, { windowMs: options.windowMs, topN: 10, maxQuestions: 10 });
  }

  /** Starts watching the log (live events are buffered) and reads the recent past. */
  async start(): Promise<void> {
    await this.loadSettings();
    const from = await this.deps.log.watch(this.channel);
    try {
      await this.replay(from);
    } catch (error) {
      this.deps.log.unwatch(this.channel);
      throw error;
    }
    const live = this.buffered ?? [];
    this.buffered = null;
    this.enqueue(live);
    this.lastMessageAt ||= this.deps.now();
  }

  /** Live events of this channel, from the log listener. */
  hear(events: readonly LoggedEvent[]): void {
    if (this.stopped) return;
    if (this.buffered) this.buffered.push(...events);
    else this.enqueue(events);
  }

  /** Every couple of seconds: the stats event, closing spike buckets. False once it has been idle long enough to stop. */
  async tick(): Promise<boolean> {
    if (this.stopped) return false;
    const now = this.deps.now();
    const found = this.spikes.tick(now);
    if (found) await this.recordHighlight(found.broadcastId, found.highlight);
    // Stats while there is chat in the window, and once more when it has emptied.
    if (this.window.size > 0 || this.published) {
      const viewers = await this.deps.viewers(this.channel).catch(() => 0);
      const stats = this.window.snapshot(now, viewers);
      this.deps.publishStats(this.channel, stats);
      this.published = this.window.size > 0;
    }
    return now - this.lastMessageAt < this.options.idleMs;
  }

  /** Stops reading; the summary being written (if any) is given up. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.deps.log.unwatch(this.channel);
    await this.chain.catch(() => undefined);
  }

  /** Resolves once everything heard so far was handled and its summaries written (tests). */
  async settled(): Promise<void> {
    await this.chain;
    await this.summaries;
  }

  private async loadSettings(): Promise<void> {
    this.settings = await this.deps.settings(this.channel);
    this.customEmotes = new Set(Object.keys(this.settings.sentimentEmotes));
  }

  /** Reads back from `upTo` until the last summary and the stats window are covered. */
  private async replay(upTo: number): Promise<void> {
    const chunks: LoggedEvent[][] = [];
    const windowStart = this.deps.now() - this.options.windowMs;
    let hi = upTo;
    let read = 0;
    let foundSummary = false;
    let messages = 0;
    while (hi > 0 && read < REPLAY_MAX) {
      const lo = Math.max(0, hi - READ_CHUNK);
      const { events } = await this.deps.log.read(this.channel, lo, hi, READ_CHUNK);
      chunks.unshift(events);
      read += hi - lo;
      hi = lo;
      let oldestMessageAt = Number.POSITIVE_INFINITY;
      for (const e of events) {
        if (e.type === "summary") foundSummary = true;
        if (e.type === "message") {
          messages++;
          oldestMessageAt = Math.min(oldestMessageAt, e.at);
        }
      }
      if (foundSummary && messages >= this.settings.summaryWindow && oldestMessageAt < windowStart) break;
    }
    for (const events of chunks) for (const e of events) this.apply(e, true);
    this.lastSeq = Math.max(this.lastSeq, upTo);
    for (const due of this.cadence.finishReplay(this.settings.summaryEvery, hi === 0)) this.writeSummary(due);
  }

  private enqueue(events: readonly LoggedEvent[]): void {
    this.chain = this.chain
      .then(() => this.handle(events))
      .catch((error: unknown) => this.deps.logger.warn({ err: error, channel: this.channel }, "analysis failed"));
  }

  private async handle(events: readonly LoggedEvent[]): Promise<void> {
    for (const event of events) {
      if (this.stopped) return;
      if (event.seq <= this.lastSeq) continue;
      if (event.seq > this.lastSeq + 1) {
        // A gap: the listener missed events (a reconnect); read them from the log.
        const { events: missed } = await this.deps.log.read(this.channel, this.lastSeq, event.seq - 1, READ_CHUNK);
        for (const m of missed) this.apply(m, false);
      }
      this.apply(event, false);
    }
  }

  private apply(event: LoggedEvent, replaying: boolean): void {
    if (event.seq <= this.lastSeq && !replaying) return;
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    switch (event.type) {
      case "message":
        this.message(event.data, event.at, replaying);
        return;
      case "message_deleted":
        this.window.remove(event.data.id);
        this.cadence.remove(event.data.id);
        return;
      case "chat_cleared":
        this.window.clear(event.seq);
        this.cadence.clear(event.seq);
        return;
      case "summary":
        this.cadence.summary(event.data.toSeq);
        return;
      case "channel_updated":
        // Settings may have changed (summaryEvery, the channel's emotes).
        if (!replaying) void this.loadSettings().catch(() => undefined);
        return;
      default:
        return;
    }
  }

  private message(message: Message, at: number, replaying: boolean): void {
    const now = this.deps.now();
    if (at >= now - this.options.windowMs) this.window.add(message, at);
    if (!replaying) this.lastMessageAt = now;
    const due = this.cadence.message(message, this.settings.summaryEvery, replaying);
    if (due) this.writeSummary(due);
    const found = this.spikes.add({
      at,
      seq: message.seq,
      broadcastId: message.broadcastId,
      emotes: emoteNames(message, this.customEmotes),
      terms: terms(message, this.customEmotes),
    });
    if (found) void this.recordHighlight(found.broadcastId, found.highlight);
  }

  /**
   * Starts the summary at once and appends it after the ones before it. Summaries are not
   * written one at a time: at 1,000 messages a second a channel needs 50 a second, and a slow
   * model must not pile them up behind it (the model takes one at a time; the others are
   * written locally meanwhile). It covers what was published when it fell due.
   */
  private writeSummary(due: Due): void {
    const { messages, fromSeq } = this.cadence.covered(due.toSeq, this.settings.summaryWindow);
    const text = this.deps.summarise({ channel: this.channel, messages, customEmotes: [...this.customEmotes] });
    text.catch(() => undefined); // awaited below, in turn
    this.summaries = this.summaries.then(async () => {
      try {
        const summary = await text;
        if (this.stopped) return;
        await this.deps.log.append(
          this.channel,
          { type: "summary", at: this.deps.now(), data: { text: summary, fromSeq, toSeq: due.toSeq } },
          `${this.channel}:analysis:summary:${due.toSeq}`,
        );
      } catch (error) {
        this.deps.logger.warn({ err: error, channel: this.channel, toSeq: due.toSeq }, "summary failed");
      }
    });
  }

  private async recordHighlight(
    broadcastId: string,
    highlight: Parameters<Store["highlights"]["add"]>[1],
  ): Promise<void> {
    try {
      await this.deps.store.highlights.add(broadcastId, highlight);
      this.deps.onHighlight?.(this.channel);
    } catch (error) {
      this.deps.logger.warn({ err: error, channel: this.channel }, "highlight not recorded");
    }
  }
}
