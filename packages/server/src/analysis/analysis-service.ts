/**
 * Live analysis across the cluster: which node analyses which channel, and the read side
 * (`/stats`, `/summaries`, `/highlights`).
 *
 * Every node is a member of the `analysis` consumer group, which sees the events of every
 * channel in the cluster — not only those this node's viewers watch. A node handed a
 * channel's events tries to take the channel's lease (`analysis:<channel>`); the holder runs
 * the channel's analyst, which reads that channel's log in order. A node that could not take
 * the lease keeps the channel as a candidate and tries again every few seconds while it is
 * active, so when the leader dies the lease passes on after its time to live even if the chat
 * has gone quiet meanwhile. The analyst publishes its stats on the bus, so every node's
 * viewers get the `stats` event and every node can answer `GET /stats`.
 */
import type { ChannelStats, Highlight, LoggedEvent, Summary } from "@chorus/protocol";
import type { Logger } from "pino";
import type { ChannelService } from "../channels/channel-service.js";
import { notFound } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { ClusterBus } from "../ports/bus.js";
import type { ConsumerMember, Consumers, Delivery } from "../ports/consumer.js";
import type { Lease, Leases } from "../ports/lease.js";
import type { ChannelLog } from "../ports/log.js";
import type { Presence } from "../ports/presence.js";
import type { Store } from "../ports/store.js";
import { type AnalystSettings, ChannelAnalyst } from "./channel-analyst.js";
import type { Summariser } from "./llm-summariser.js";
import { DEFAULT_SPIKE_OPTIONS } from "./spikes.js";

export const ANALYSIS_GROUP = "analysis";

export interface AnalysisOptions {
  /** How often a leader publishes its channels' stats. */
  statsIntervalMs: number;
  /** The stats window. */
  windowMs: number;
  /** A leader lets a channel go after this long without a message. */
  idleMs: number;
  /** How often a node tries to take the leases of active channels it does not lead. */
  retryMs: number;
  spikeBucketMs: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  statsIntervalMs: 2_000,
  windowMs: 5 * 60_000,
  idleMs: 6 * 60_000,
  retryMs: 2_000,
  spikeBucketMs: DEFAULT_SPIKE_OPTIONS.bucketMs,
};

export interface AnalysisDeps {
  consumers: Consumers;
  leases: Leases;
  log: ChannelLog;
  store: Store;
  channels: ChannelService;
  presence: Presence;
  bus: ClusterBus;
  summariser: Summariser;
  /** Hands a stats event to this node's subscribers of the channel. */
  deliverStats(channel: string, stats: ChannelStats): void;
  metrics: Metrics;
  logger: Logger;
}

interface Led {
  analyst: ChannelAnalyst;
  lease: Lease;
}

export class AnalysisService {
  private readonly led = new Map<string, Led>();
  private readonly starting = new Set<string>();
  /** Channels seen active that another node leads (or nobody, yet): when last seen. */
  private readonly candidates = new Map<string, number>();
  /** The latest stats of every channel, as published by its leader (from the bus). */
  private readonly latest = new Map<string, ChannelStats>();
  private member: ConsumerMember | null = null;
  private stopListening: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private lastRetry = 0;
  private closed = false;

  constructor(
    private readonly deps: AnalysisDeps,
    private readonly options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
  ) {}

  start(): void {
    this.stopListening = this.deps.log.onEvents((channel, events) => this.led.get(channel)?.analyst.hear(events));
    this.member = this.deps.consumers.consume(ANALYSIS_GROUP, (delivery) => this.delivered(delivery));
    this.timer = setInterval(() => void this.tick(), this.options.statsIntervalMs);
    this.timer.unref();
  }

  /** Channels this node leads (tests, metrics). */
  ledHere(): string[] {
    return [...this.led.keys()];
  }

  /** Resolves once the analyst of `channel` here (if any) handled what it heard (tests). */
  async settled(channel: string): Promise<void> {
    await this.led.get(channel)?.analyst.settled();
  }

  /** A stats event from a leader, via the bus: kept for `GET /stats` and handed to subscribers. */
  statsPublished(channel: string, stats: ChannelStats): void {
    this.latest.set(channel, stats);
    this.deps.deliverStats(channel, stats);
  }

  async stats(channel: string): Promise<ChannelStats> {
    await this.deps.channels.state(channel);
    const now = Date.now();
    const latest = this.latest.get(channel);
    // Fresh while its leader keeps publishing; after that the window has emptied (or the
    // leader died and the next one has not published yet), and viewers are still counted here.
    const viewers = await this.deps.presence
      .counts(channel)
      .then((c) => c.viewers)
      .catch(() => latest?.viewers ?? 0);
    if (latest && now - latest.at <= this.options.windowMs) return { ...latest, viewers };
    return {
      at: now,
      messagesPerMinute: 0,
      lastMinute: 0,
      chatters: 0,
      viewers,
      sentiment: { positive: 0, neutral: 0, negative: 0 },
      mood: 0,
      topEmotes: [],
      topTerms: [],
      questions: [],
    };
  }

  async summaries(channel: string, limit: number): Promise<Array<Summary & { seq: number; at: number }>> {
    await this.deps.channels.state(channel);
    // A summary just heard live may still be on its way to the store.
    await this.deps.log.drain(channel);
    const events = await this.deps.store.events.latestOfType(channel, "summary", limit);
    return events.map((e) => ({ seq: e.seq, at: e.at, ...e.data }));
  }

  async highlights(channel: string, broadcastId: string): Promise<Highlight[]> {
    await this.deps.channels.state(channel);
    const broadcast = await this.deps.store.broadcasts.byId(broadcastId);
    if (!broadcast || broadcast.channel !== channel) throw notFound("broadcast");
    return this.deps.store.highlights.forBroadcast(broadcastId);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.stopListening?.();
    await this.member?.stop();
    await Promise.all([...this.led.keys()].map((channel) => this.letGo(channel, true)));
  }

  private async delivered(delivery: Delivery): Promise<void> {
    const { channel } = delivery;
    if (this.led.has(channel) || this.closed || !delivery.events.some(isRelevant)) return;
    this.candidates.set(channel, Date.now());
    await this.tryLead(channel);
  }

  private async tryLead(channel: string): Promise<void> {
    if (this.closed || this.led.has(channel) || this.starting.has(channel)) return;
    this.starting.add(channel);
    try {
      const lease = await this.deps.leases.tryAcquire(`analysis:${channel}`);
      if (!lease) return;
      const analyst = new ChannelAnalyst(
        channel,
        {
          log: this.deps.log,
          store: this.deps.store,
          settings: (name) => this.settingsOf(name),
          viewers: async (name) => (await this.deps.presence.counts(name)).viewers,
          summarise: (input) => this.deps.summariser.summarise(input),
          publishStats: (name, stats) => {
            this.deps.bus
              .publish({ type: "channel_stats", channel: name, stats })
              .catch((error: unknown) => this.deps.logger.warn({ err: error }, "bus publish failed"));
          },
          onHighlight: () => this.deps.metrics.highlights.inc(),
          logger: this.deps.logger,
          now: Date.now,
        },
        { windowMs: this.options.windowMs, idleMs: this.options.idleMs, spikeBucketMs: this.options.spikeBucketMs },
      );
      this.led.set(channel, { analyst, lease });
      this.candidates.delete(channel);
      this.deps.metrics.analysisLeaders.set(this.led.size);
      lease.onLost(() => {
        this.deps.logger.warn({ channel }, "analysis lease lost; stopping here");
        void this.letGo(channel, false);
      });
      try {
        await analyst.start();
        this.deps.logger.info({ channel }, "analysing channel");
      } catch (error) {
        this.deps.logger.warn({ err: error, channel }, "analysis could not start");
        await this.letGo(channel, true);
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, channel }, "analysis lease unavailable");
    } finally {
      this.starting.delete(channel);
    }
  }

  private async settingsOf(channel: string): Promise<AnalystSettings> {
    const { settings } = (await this.deps.channels.state(channel)).record;
    return {
      summaryEvery: settings.summaryEvery,
      summaryWindow: settings.summaryWindow,
      sentimentEmotes: settings.sentimentEmotes,
    };
  }

  private async letGo(channel: string, release: boolean): Promise<void> {
    const led = this.led.get(channel);
    if (!led) return;
    this.led.delete(channel);
    this.deps.metrics.analysisLeaders.set(this.led.size);
    await led.analyst.stop();
    if (release) await led.lease.release().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      for (const [channel, { analyst }] of this.led) {
        const keep = await analyst.tick().catch((error: unknown) => {
          this.deps.logger.warn({ err: error, channel }, "analysis tick failed");
          return true;
        });
        if (!keep) await this.letGo(channel, true);
      }
      const now = Date.now();
      if (now - this.lastRetry >= this.options.retryMs) {
        this.lastRetry = now;
        for (const [channel, seenAt] of this.candidates) {
          if (now - seenAt > this.options.idleMs) this.candidates.delete(channel);
          else await this.tryLead(channel);
        }
      }
      for (const [channel, stats] of this.latest)
        if (now - stats.at > this.options.windowMs) this.latest.delete(channel);
    } finally {
      this.ticking = false;
    }
  }
}

/** Events that need an analyst: chat, not its own summaries or a channel's deletion. */
function isRelevant(event: LoggedEvent): boolean {
  return event.type === "message";
}
