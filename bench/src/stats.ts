/**
 * Latency statistics for the load generator and the benchmark.
 *
 * Workers record millions of latencies, so they keep a fixed-bucket histogram rather than
 * the samples, ship it to the parent in a sparse form and the parent merges them. Buckets
 * are integer microseconds (no floating-point edge cases) with a width that grows with the
 * value, so the relative error stays at or below 1 % from 1 ms up to 60 s:
 *
 * | range          | bucket width |
 * |----------------|--------------|
 * | 0 – 10 ms      | 10 µs        |
 * | 10 – 100 ms    | 100 µs       |
 * | 100 ms – 1 s   | 1 ms         |
 * | 1 s – 60 s     | 10 ms        |
 * | ≥ 60 s         | one overflow bucket (reported as the observed max) |
 *
 * A percentile is reported as the upper edge of the bucket holding that rank, clamped to
 * the observed min and max, i.e. it never understates a latency by more than one bucket.
 */

interface Segment {
  /** First value of the segment, µs. */
  readonly start: number;
  /** One past the last value of the segment, µs. */
  readonly end: number;
  /** Bucket width, µs. */
  readonly width: number;
  /** Index of the segment's first bucket. */
  readonly firstBucket: number;
}

const SEGMENTS: readonly Segment[] = (() => {
  const spec = [
    { end: 10_000, width: 10 },
    { end: 100_000, width: 100 },
    { end: 1_000_000, width: 1_000 },
    { end: 60_000_000, width: 10_000 },
  ];
  const out: Segment[] = [];
  let start = 0;
  let firstBucket = 0;
  for (const { end, width } of spec) {
    out.push({ start, end, width, firstBucket });
    firstBucket += (end - start) / width;
    start = end;
  }
  return out;
})();

const LAST_SEGMENT = SEGMENTS[SEGMENTS.length - 1] as Segment;
/** Number of regular buckets; the overflow bucket has this index. */
const OVERFLOW = LAST_SEGMENT.firstBucket + (LAST_SEGMENT.end - LAST_SEGMENT.start) / LAST_SEGMENT.width;

/** Bucket index of a latency in µs (≥ 0). */
export function bucketOf(us: number): number {
  for (const s of SEGMENTS) {
    if (us < s.end) return s.firstBucket + Math.floor((us - s.start) / s.width);
  }
  return OVERFLOW;
}

/** Upper edge of a bucket, µs (`Infinity` for the overflow bucket). */
export function bucketUpperEdge(index: number): number {
  for (const s of SEGMENTS) {
    const n = (s.end - s.start) / s.width;
    if (index < s.firstBucket + n) return s.start + (index - s.firstBucket + 1) * s.width;
  }
  return Number.POSITIVE_INFINITY;
}

/** The histogram as it travels between processes: only the non-empty buckets. */
export interface SerializedHistogram {
  buckets: [index: number, count: number][];
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  /** Latencies below zero (clock skew between processes); recorded as 0. */
  negatives: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(OVERFLOW + 1);
  count = 0;
  sumMs = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = Number.NEGATIVE_INFINITY;
  negatives = 0;

  record(ms: number): void {
    let value = ms;
    if (!(value >= 0)) {
      this.negatives++;
      value = 0;
    }
    this.counts[bucketOf(Math.round(value * 1000))]! += 1;
    this.count++;
    this.sumMs += value;
    if (value < this.minMs) this.minMs = value;
    if (value > this.maxMs) this.maxMs = value;
  }

  merge(other: LatencyHistogram | SerializedHistogram): this {
    const data = other instanceof LatencyHistogram ? other.toJSON() : other;
    for (const [index, n] of data.buckets) {
      if (Number.isInteger(index) && index >= 0 && index <= OVERFLOW) this.counts[index]! += n;
    }
    this.count += data.count;
    this.sumMs += data.sumMs;
    this.negatives += data.negatives;
    if (data.count > 0) {
      this.minMs = Math.min(this.minMs, data.minMs);
      this.maxMs = Math.max(this.maxMs, data.maxMs);
    }
    return this;
  }

  /** The latency at percentile `p` (0–100], ms; `NaN` when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * this.count));
    let seen = 0;
    for (let i = 0; i <= OVERFLOW; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const edge = bucketUpperEdge(i) / 1000;
        return Math.min(Math.max(edge, this.minMs), this.maxMs);
      }
    }
    return this.maxMs;
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sumMs / this.count;
  }

  toJSON(): SerializedHistogram {
    const buckets: [number, number][] = [];
    for (let i = 0; i <= OVERFLOW; i++) {
      const n = this.counts[i]!;
      if (n > 0) buckets.push([i, n]);
    }
    return {
      buckets,
      count: this.count,
      sumMs: this.sumMs,
      minMs: this.count === 0 ? 0 : this.minMs,
      maxMs: this.count === 0 ? 0 : this.maxMs,
      negatives: this.negatives,
    };
  }

  static fromJSON(data: SerializedHistogram): LatencyHistogram {
    return new LatencyHistogram().merge(data);
  }
}

/** Nearest-rank percentile of an ascending array; `NaN` when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function summarizeHistogram(h: LatencyHistogram): LatencySummary {
  return {
    count: h.count,
    p50: h.percentile(50),
    p90: h.percentile(90),
    p95: h.percentile(95),
    p99: h.percentile(99),
    p999: h.percentile(99.9),
    max: h.count === 0 ? Number.NaN : h.maxMs,
    mean: h.mean(),
  };
}

export function summarizeSamples(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** `a / b`, or `NaN` when either side is missing or `b` is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}
