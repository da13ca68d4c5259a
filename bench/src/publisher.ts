/**
 * The open-loop publisher: message `i` is due at `start + i / rate` whatever happened to the
 * earlier ones (no waiting for acks, so a slow target cannot slow the offered load — no
 * coordinated omission). Message `i` goes to channel `i mod K` through one of P publisher
 * connections (plan.ts `route`), and is numbered per channel so each subscriber can find
 * holes in its own channel's sequence. Each text carries its number and the time it was
 * actually handed to the connection. Acks are tallied as they come; `report()` takes the
 * tally at the end of the drain period, and anything still unanswered then counts as such.
 */
import { route } from "./loadgen/plan.js";
import { makeText, nowMs } from "./payload.js";
import { LatencyHistogram, type LatencySummary, summarizeHistogram } from "./stats.js";
import type { ChannelPublisher } from "./targets/types.js";

export interface PublishPlan {
  /** Messages per second, over all publishers. */
  rate: number;
  /** Messages in total. */
  total: number;
  /** Text size, characters. */
  size: number;
  channels: readonly string[];
}

export interface PublishReport {
  sent: number;
  acked: number;
  rejected: number;
  rejectedBy: Record<string, number>;
  unanswered: number;
  /** Per channel, `acknowledged[n]`: that channel's message n was accepted by the target. */
  acknowledged: Record<string, boolean[]>;
  /** Per channel, the highest seq the target acknowledged, if it numbers messages. */
  finalSeq: Record<string, number | null>;
  /** Send → ack, ms. */
  ack: LatencySummary;
  /** Acks per second between the first send and the last ack. */
  acksPerSec: number;
  /** How late the worst send was against its schedule, ms (publisher-side lag). */
  maxScheduleLagMs: number;
  /** Epoch ms of the first and last send. */
  firstSendMs: number;
  lastSendMs: number;
}

export class OpenLoopPublisher {
  private readonly acknowledged = new Map<string, boolean[]>();
  private readonly finalSeq = new Map<string, number | null>();
  private readonly perChannel = new Map<string, number>();
  private readonly ackHistogram = new LatencyHistogram();
  private readonly rejectedBy = new Map<string, number>();
  private sent = 0;
  private acked = 0;
  private rejected = 0;
  private maxLag = 0;
  private firstSendMs = 0;
  private lastSendMs = 0;
  private lastAckMs = 0;
  private aborted = false;

  constructor(
    private readonly publishers: readonly ChannelPublisher[],
    private readonly plan: PublishPlan,
  ) {
    if (publishers.length === 0) throw new Error("no publisher");
    for (const channel of plan.channels) {
      this.acknowledged.set(channel, []);
      this.finalSeq.set(channel, null);
      this.perChannel.set(channel, 0);
    }
  }

  /** Sends the whole plan on schedule; resolves after the last send (not its ack). */
  async run(): Promise<void> {
    const { rate, total } = this.plan;
    const intervalMs = 1000 / rate;
    const start = performance.now();
    while (this.sent < total && !this.aborted) {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (this.sent < due) {
        const i = this.sent++;
        this.maxLag = Math.max(this.maxLag, performance.now() - (start + i * intervalMs));
        this.sendOne(i);
      }
      if (this.sent < total) {
        const wait = start + this.sent * intervalMs - performance.now();
        await new Promise((r) => setTimeout(r, Math.max(0, wait)));
      }
    }
  }

  private sendOne(i: number): void {
    const { channel: c, publisher: p } = route(i, this.plan.channels.length, this.publishers.length);
    const channel = this.plan.channels[c] as string;
    const publisher = this.publishers[p] as ChannelPublisher;
    const n = this.perChannel.get(channel) ?? 0;
    this.perChannel.set(channel, n + 1);
    const acknowledged = this.acknowledged.get(channel) as boolean[];
    const sentAt = nowMs();
    if (i === 0) this.firstSendMs = sentAt;
    this.lastSendMs = sentAt;
    acknowledged[n] = false;
    publisher.send(channel, makeText(n, sentAt, this.plan.size), `load-${sentAt.toFixed(3)}-${i}`, (outcome) => {
      if (outcome.ok) {
        const at = nowMs();
        this.acked++;
        this.lastAckMs = Math.max(this.lastAckMs, at);
        acknowledged[n] = true;
        this.ackHistogram.record(at - sentAt);
        const seq = outcome.seq;
        const best = this.finalSeq.get(channel) ?? null;
        if (seq !== undefined && (best === null || seq > best)) this.finalSeq.set(channel, seq);
      } else {
        this.rejected++;
        this.rejectedBy.set(outcome.code, (this.rejectedBy.get(outcome.code) ?? 0) + 1);
      }
    });
  }

  /** Stops sending (the run was cancelled). */
  abort(): void {
    this.aborted = true;
  }

  /** Outstanding acks, for the drain wait. */
  outstanding(): number {
    return this.sent - this.acked - this.rejected;
  }

  get ackedSoFar(): number {
    return this.acked;
  }

  /** Highest acknowledged seq per channel right now (what a storm's clients must catch up to). */
  acknowledgedSeqs(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [channel, seq] of this.finalSeq) if (seq !== null) out[channel] = seq;
    return out;
  }

  report(): PublishReport {
    const span = (this.lastAckMs - this.firstSendMs) / 1000;
    return {
      sent: this.sent,
      acked: this.acked,
      rejected: this.rejected,
      rejectedBy: Object.fromEntries(this.rejectedBy),
      unanswered: this.outstanding(),
      acknowledged: Object.fromEntries([...this.acknowledged].map(([c, a]) => [c, [...a]])),
      finalSeq: Object.fromEntries(this.finalSeq),
      ack: summarizeHistogram(this.ackHistogram),
      acksPerSec: span > 0 ? this.acked / span : Number.NaN,
      maxScheduleLagMs: this.maxLag,
      firstSendMs: this.firstSendMs,
      lastSendMs: this.lastSendMs,
    };
  }
}
