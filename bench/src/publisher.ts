/**
 * The open-loop publisher: message `i` is due at `start + i / rate` whatever happened to
 * the earlier ones (no waiting for acks, so a slow target cannot slow the offered load —
 * no coordinated omission). Each text carries its number and the time it was actually
 * handed to the socket. Acks are tallied as they come; `report()` takes the tally at the
 * end of the drain period, and anything still unanswered then counts as unanswered.
 */
import { makeText, nowMs } from "./payload.js";
import { type LatencySummary, summarizeSamples } from "./stats.js";
import type { Publisher } from "./targets/types.js";

export interface PublishPlan {
  /** Messages per second. */
  rate: number;
  /** Messages in total. */
  total: number;
  /** Text size, characters. */
  size: number;
}

export interface PublishReport {
  sent: number;
  acked: number;
  rejected: number;
  rejectedBy: Record<string, number>;
  unanswered: number;
  /** `acknowledged[n]`: message n was accepted by the target. */
  acknowledged: boolean[];
  /** Highest seq the target acknowledged, if it numbers messages. */
  finalSeq: number | null;
  /** Send → ack, ms. */
  ack: LatencySummary;
  /** How late the worst send was against its schedule, ms (publisher-side lag). */
  maxScheduleLagMs: number;
  /** Epoch ms of the first and last send. */
  firstSendMs: number;
  lastSendMs: number;
}

export class OpenLoopPublisher {
  private readonly acknowledged: boolean[] = [];
  private readonly ackMs: number[] = [];
  private readonly rejectedBy = new Map<string, number>();
  private sent = 0;
  private acked = 0;
  private rejected = 0;
  private finalSeq: number | null = null;
  private maxLag = 0;
  private firstSendMs = 0;
  private lastSendMs = 0;
  private aborted = false;

  constructor(
    private readonly publisher: Publisher,
    private readonly plan: PublishPlan,
  ) {}

  /** Sends the whole plan on schedule; resolves after the last send (not its ack). */
  async run(): Promise<void> {
    const { rate, total, size } = this.plan;
    const intervalMs = 1000 / rate;
    const start = performance.now();
    while (this.sent < total && !this.aborted) {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (this.sent < due) {
        const n = this.sent++;
        this.maxLag = Math.max(this.maxLag, performance.now() - (start + n * intervalMs));
        this.sendOne(n, size);
      }
      if (this.sent < total) {
        const wait = start + this.sent * intervalMs - performance.now();
        await new Promise((r) => setTimeout(r, Math.max(0, wait)));
      }
    }
  }

  private sendOne(n: number, size: number): void {
    const sentAt = nowMs();
    if (n === 0) this.firstSendMs = sentAt;
    this.lastSendMs = sentAt;
    this.acknowledged[n] = false;
    this.publisher.send(makeText(n, sentAt, size), `bench-${n}`, (outcome) => {
      if (outcome.ok) {
        this.acked++;
        this.acknowledged[n] = true;
        this.ackMs.push(nowMs() - sentAt);
        if (outcome.seq !== undefined && (this.finalSeq === null || outcome.seq > this.finalSeq)) {
          this.finalSeq = outcome.seq;
        }
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

  report(): PublishReport {
    return {
      sent: this.sent,
      acked: this.acked,
      rejected: this.rejected,
      rejectedBy: Object.fromEntries(this.rejectedBy),
      unanswered: this.outstanding(),
      acknowledged: [...this.acknowledged],
      finalSeq: this.finalSeq,
      ack: summarizeSamples(this.ackMs),
      maxScheduleLagMs: this.maxLag,
      firstSendMs: this.firstSendMs,
      lastSendMs: this.lastSendMs,
    };
  }
}
