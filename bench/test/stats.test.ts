import { describe, expect, it } from "vitest";
import { makeText, parseText } from "../src/payload.js";
import { bucketOf, bucketUpperEdge, LatencyHistogram, percentile, ratio, summarizeSamples } from "../src/stats.js";
import { SubscriberTracker } from "../src/tracker.js";

describe("percentile (nearest rank)", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it("picks the nearest-rank element", () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 99.9)).toBe(100);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });

  it("is NaN for no samples", () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarises unsorted samples", () => {
    const s = summarizeSamples([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ count: 5, p50: 3, p99: 5, max: 5, mean: 3 });
  });
});

describe("bucket layout", () => {
  it("is contiguous: every bucket starts where the previous one ends", () => {
    let previousEdge = 0;
    for (let i = 0; i < 20_000; i++) {
      const edge = bucketUpperEdge(i);
      if (!Number.isFinite(edge)) break;
      expect(bucketOf(previousEdge)).toBe(i);
      expect(bucketOf(edge - 1)).toBe(i);
      previousEdge = edge;
    }
    expect(previousEdge).toBe(60_000_000);
    expect(bucketUpperEdge(bucketOf(60_000_000))).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps the relative error at or below 1 % from 1 ms up", () => {
    for (const us of [1_000, 9_999, 10_000, 55_555, 100_000, 999_999, 1_000_000, 59_999_999]) {
      const edge = bucketUpperEdge(bucketOf(us));
      expect(edge).toBeGreaterThan(us);
      expect((edge - us) / us).toBeLessThanOrEqual(0.01);
    }
  });
});

describe("LatencyHistogram", () => {
  it("reports percentiles within one bucket of the exact value", () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const v = ((i * 7919) % 2_000) / 10; // 0..199.9 ms, shuffled
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = percentile(values, p);
      const approx = h.percentile(p);
      expect(approx).toBeGreaterThanOrEqual(exact);
      expect(approx - exact).toBeLessThanOrEqual(Math.max(0.01, exact * 0.01));
    }
    expect(h.count).toBe(10_000);
    expect(h.maxMs).toBe(values[values.length - 1]);
    expect(h.percentile(100)).toBe(h.maxMs);
  });

  it("never reports beyond the observed min and max", () => {
    const h = new LatencyHistogram();
    h.record(3.001);
    expect(h.percentile(50)).toBe(3.001);
    expect(h.percentile(1)).toBe(3.001);
  });

  it("merges to the same result as recording everything in one", () => {
    const all = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    for (let i = 0; i < 3_000; i++) {
      const v = (i % 97) * 1.37 + (i % 3) * 250;
      all.record(v);
      parts[i % 3]!.record(v);
    }
    const merged = new LatencyHistogram();
    for (const part of parts) merged.merge(part.toJSON());
    const { sumMs: mergedSum, ...mergedRest } = merged.toJSON();
    const { sumMs: allSum, ...allRest } = all.toJSON();
    expect(mergedRest).toEqual(allRest);
    expect(mergedSum).toBeCloseTo(allSum, 6);
    for (const p of [50, 99, 99.9]) expect(merged.percentile(p)).toBe(all.percentile(p));
  });

  it("survives a structured-clone round trip and ignores empty parts", () => {
    const h = new LatencyHistogram();
    for (const v of [0.5, 1, 2, 4, 8, 70_000]) h.record(v);
    const copy = LatencyHistogram.fromJSON(structuredClone(h.toJSON())).merge(new LatencyHistogram().toJSON());
    expect(copy.toJSON()).toEqual(h.toJSON());
    expect(copy.percentile(100)).toBe(70_000);
    expect(copy.minMs).toBe(0.5);
  });

  it("counts negative latencies (clock skew) and records them as 0", () => {
    const h = new LatencyHistogram();
    h.record(-0.2);
    h.record(1);
    expect(h.negatives).toBe(1);
    expect(h.minMs).toBe(0);
    expect(h.percentile(50)).toBe(0.01);
  });

  it("is NaN when empty", () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBeNaN();
    expect(h.mean()).toBeNaN();
    expect(h.toJSON()).toMatchObject({ count: 0, minMs: 0, maxMs: 0, buckets: [] });
  });
});

describe("ratio", () => {
  it("divides, or is NaN when it cannot", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe("bench text", () => {
  it("round-trips number and send time at the requested size", () => {
    const text = makeText(42, 1_795_000_000_123.456, 200);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text.length).toBeGreaterThan(190);
    expect(parseText(text)).toEqual({ n: 42, sentAtMs: 1_795_000_000_123.456 });
    expect(parseText("hello")).toBeUndefined();
  });
});

describe("SubscriberTracker", () => {
  const acked = (n: number, missing: number[] = []) => Array.from({ length: n }, (_, i) => !missing.includes(i));

  it("tells holes (lost) from a missing tail (late), and finds duplicates", () => {
    const t = new SubscriberTracker(6);
    for (const n of [0, 1, 1, 3]) t.message(n);
    expect(t.counts(acked(6), undefined)).toMatchObject({
      delivered: 3,
      lost: 1, // 2
      late: 2, // 4 and 5
      undelivered: 3,
      duplicates: 1,
      subscribersWithLoss: 1,
      subscribersBehind: 1,
    });
  });

  it("does not count an unacknowledged message as lost, but reports it if delivered", () => {
    const t = new SubscriberTracker(3);
    t.message(0);
    t.message(2);
    expect(t.counts(acked(3, [1, 2]), undefined)).toMatchObject({
      delivered: 1,
      lost: 0,
      late: 0,
      unacknowledged: 1,
      undelivered: 1,
    });
  });

  it("finds seq gaps, a missing tail and repeated seqs", () => {
    const t = new SubscriberTracker(10);
    t.subscribed(10);
    for (const seq of [11, 12, 14, 14, 13, 15]) t.logged(seq);
    // 13 skipped (1 gap), 14 repeated and 13 late (2 dups), 16 and 17 never came (tail of 2).
    expect(t.counts([], 17)).toMatchObject({ seqGaps: 1, seqTailMissing: 2, seqDuplicates: 2 });
  });

  it("grows past the expected number of messages", () => {
    const t = new SubscriberTracker(2);
    expect(t.message(10)).toBe(true);
    expect(t.message(10)).toBe(false);
    expect(t.counts(acked(11), undefined)).toMatchObject({ delivered: 1, lost: 10, late: 0, duplicates: 1 });
  });
});
