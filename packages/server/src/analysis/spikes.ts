/**
 * Finds chat spikes: moments when a channel's message rate jumps far above its recent
 * baseline (a goal, a death, a raid). Messages are counted in fixed buckets of wall time;
 * when a bucket closes its count is compared with the buckets before it by a robust z-score
 * (median and median absolute deviation, so one earlier burst does not raise the bar for
 * the next). Consecutive spiking buckets are one spike: it is reported once, at its first
 * bucket, labelled with what the chat was saying most.
 *
 * Pure and clock-free: time comes from the events (their log time), so a new leader that
 * replays the same events finds the same spikes at the same moments.
 */
import type { Highlight } from "@chorus/protocol";

export interface SpikeOptions {
  bucketMs: number;
  /** Closed buckets the baseline is taken over. */
  historyBuckets: number;
  /** Closed buckets needed before anything counts as a spike (a channel's first minute is all "spike"). */
  minHistory: number;
  /** Robust z-score a bucket needs. 3.5 is the usual outlier cut (Iglewicz and Hoaglin). */
  zThreshold: number;
  /** Messages a bucket needs, so that 3 messages after silence are not a highlight. */
  minCount: number;
  /** And at least this many times the baseline's count. */
  minRatio: number;
}

export const DEFAULT_SPIKE_OPTIONS: SpikeOptions = {
  bucketMs: 10_000,
  historyBuckets: 30,
  minHistory: 6,
  zThreshold: 3.5,
  minCount: 8,
  minRatio: 2,
};

export interface SpikeInput {
  /** When it was logged (ms). */
  at: number;
  seq: number;
  broadcastId: string | undefined;
  /** What the message was about, strongest first: its emotes, then its terms. */
  emotes: readonly string[];
  terms: readonly string[];
}

export interface FoundHighlight {
  broadcastId: string;
  highlight: Highlight;
}

interface Bucket {
  index: number;
  count: number;
  firstSeq: number;
  broadcastId: string | undefined;
  emotes: Map<string, number>;
  terms: Map<string, number>;
}

/** A spike's label: an emote when one stands out (chat reacts in emotes), else a word. */
export function spikeLabel(emotes: ReadonlyMap<string, number>, terms: ReadonlyMap<string, number>): string {
  const [emote, emoteCount] = top(emotes);
  const [term, termCount] = top(terms);
  if (emote !== null && emoteCount >= termCount) return emote;
  return term ?? emote ?? "chat";
}

function top(counts: ReadonlyMap<string, number>): [string | null, number] {
  let best: string | null = null;
  let bestCount = 0;
  for (const [key, count] of counts) {
    // Ties go to the alphabetically first: the same input always gives the same label.
    if (count > bestCount || (count === bestCount && best !== null && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return [best, bestCount];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export class SpikeDetector {
  private current: Bucket | null = null;
  /** Counts of the closed buckets, oldest first, at most `historyBuckets`. */
  private readonly history: number[] = [];
  private inSpike = false;

  constructor(private readonly options: SpikeOptions = DEFAULT_SPIKE_OPTIONS) {}

  /** Counts a message; returns the spike that the buckets it closed made, if any. */
  add(input: SpikeInput): FoundHighlight | null {
    const index = Math.floor(input.at / this.options.bucketMs);
    let found: FoundHighlight | null = null;
    if (this.current && index > this.current.index) found = this.closeUpTo(index);
    // A message stamped earlier than the open bucket (clock skew between nodes) counts in it.
    this.current ??= {
      index,
      count: 0,
      firstSeq: input.seq,
      broadcastId: undefined,
      emotes: new Map(),
      terms: new Map(),
    };
    const bucket = this.current;
    bucket.count++;
    if (input.broadcastId !== undefined) bucket.broadcastId = input.broadcastId;
    // Once per message, so one spammer repeating an emote does not name the spike.
    for (const e of new Set(input.emotes)) bucket.emotes.set(e, (bucket.emotes.get(e) ?? 0) + 1);
    for (const t of new Set(input.terms)) bucket.terms.set(t, (bucket.terms.get(t) ?? 0) + 1);
    return found;
  }

  /** Closes the buckets that ended before `now` (chat may go quiet right after a spike). */
  tick(now: number): FoundHighlight | null {
    const index = Math.floor(now / this.options.bucketMs);
    return this.current && index > this.current.index ? this.closeUpTo(index) : null;
  }

  private closeUpTo(index: number): FoundHighlight | null {
    const bucket = this.current;
    if (!bucket) return null;
    this.current = null;
    const found = this.evaluate(bucket);
    this.remember(bucket.count);
    // Quiet buckets in between count as zeros (capped: the history is only so long).
    const gaps = Math.min(index - bucket.index - 1, this.options.historyBuckets);
    for (let i = 0; i < gaps; i++) {
      this.remember(0);
      this.inSpike = false;
    }
    return found;
  }

  private evaluate(bucket: Bucket): FoundHighlight | null {
    const o = this.options;
    if (this.history.length < o.minHistory) return null;
    const base = median(this.history);
    const mad = median(this.history.map((c) => Math.abs(c - base)));
    // A flat baseline has no deviation at all: one message of spread keeps z finite and sane.
    const z = (0.6745 * (bucket.count - base)) / Math.max(mad, 1);
    const spiking = z >= o.zThreshold && bucket.count >= o.minCount && bucket.count >= o.minRatio * base;
    const starts = spiking && !this.inSpike;
    this.inSpike = spiking;
    if (!starts || bucket.broadcastId === undefined) return null;
    const perMinute = 60_000 / o.bucketMs;
    return {
      broadcastId: bucket.broadcastId,
      highlight: {
        at: bucket.index * o.bucketMs,
        seq: bucket.firstSeq,
        rate: bucket.count * perMinute,
        baseline: base * perMinute,
        label: spikeLabel(bucket.emotes, bucket.terms),
      },
    };
  }

  private remember(count: number): void {
    this.history.push(count);
    if (this.history.length > this.options.historyBuckets) this.history.shift();
  }
}
