import { describe, expect, it } from "vitest";
import { type FoundHighlight, median, SpikeDetector, type SpikeInput, spikeLabel } from "./spikes.js";

const B = 10_000;
let seq = 0;
function msg(at: number, emotes: string[] = [], terms: string[] = [], broadcastId: string | null = "b1"): SpikeInput {
  return { at, seq: ++seq, broadcastId: broadcastId ?? undefined, emotes, terms };
}

/** Feeds `perBucket[i]` messages into bucket i (evenly spread) and collects what is found. */
function feed(detector: SpikeDetector, perBucket: number[], make = (at: number) => msg(at)): FoundHighlight[] {
  const found: FoundHighlight[] = [];
  perBucket.forEach((n, i) => {
    for (let k = 0; k < n; k++) {
      const f = detector.add(make(i * B + Math.floor((k * B) / n)));
      if (f) found.push(f);
    }
  });
  const last = detector.tick(perBucket.length * B + 1);
  if (last) found.push(last);
  return found;
}

describe("spike detection", () => {
  it("finds a burst far above a steady baseline, once, at its first bucket, as rates per minute", () => {
    const d = new SpikeDetector();
    const counts = [...Array(18).fill(2), 30, 25, 2, 2];
    const found = feed(d, counts, (at) => msg(at, at >= 18 * B && at < 19 * B ? ["KEKW"] : []));
    expect(found).toHaveLength(1);
    const h = found[0]?.highlight;
    expect(h?.at).toBe(18 * B);
    expect(h?.rate).toBe(180);
    expect(h?.baseline).toBe(12);
    expect(h?.label).toBe("KEKW");
    expect(found[0]?.broadcastId).toBe("b1");
  });

  it("does not call steady busy chat, or its ordinary wobble, a spike", () => {
    const d = new SpikeDetector();
    const counts = Array.from({ length: 60 }, (_, i) => 40 + ((i * 7) % 11) - 5);
    expect(feed(d, counts)).toEqual([]);
  });

  it("needs some history first, and a minimum of messages", () => {
    expect(feed(new SpikeDetector(), [1, 1, 30])).toEqual([]); // only two buckets of history
    expect(feed(new SpikeDetector(), [1, 0, 0, 0, 0, 0, 0, 0, 5])).toEqual([]); // 5 < minCount
    expect(feed(new SpikeDetector(), [1, 0, 0, 0, 0, 0, 0, 0, 12])).toHaveLength(1);
  });

  it("reports a spike again only after the rate came back down", () => {
    const d = new SpikeDetector();
    const found = feed(d, [...Array(10).fill(1), 20, 20, 1, 1, 1, 20]);
    expect(found.map((f) => f.highlight.at)).toEqual([10 * B, 15 * B]);
  });

  it("counts quiet stretches as zeros: a burst after silence is a spike", () => {
    const d = new SpikeDetector();
    const found: FoundHighlight[] = [];
    for (let i = 0; i < 10; i++) d.add(msg(i * B)); // one a bucket
    // a minute of silence, then a burst
    for (let k = 0; k < 15; k++) {
      const f = d.add(msg(20 * B + k * 100, [], ["goal"]));
      if (f) found.push(f);
    }
    const last = d.tick(22 * B);
    if (last) found.push(last);
    expect(found.map((f) => [f.highlight.at, f.highlight.label])).toEqual([[20 * B, "goal"]]);
  });

  it("records nothing outside a broadcast", () => {
    const d = new SpikeDetector();
    expect(feed(d, [...Array(10).fill(1), 40], (at) => msg(at, [], [], null))).toEqual([]);
  });
});

describe("spike labels", () => {
  it("prefer the most used emote, else the most used term, deterministically", () => {
    expect(
      spikeLabel(
        new Map([
          ["Pog", 3],
          ["KEKW", 5],
        ]),
        new Map([["goal", 4]]),
      ),
    ).toBe("KEKW");
    expect(spikeLabel(new Map([["Pog", 2]]), new Map([["goal", 6]]))).toBe("goal");
    expect(
      spikeLabel(
        new Map([
          ["b", 2],
          ["a", 2],
        ]),
        new Map(),
      ),
    ).toBe("a");
    expect(spikeLabel(new Map(), new Map())).toBe("chat");
  });

  it("count an emote once per message, so one spammer does not name the spike", () => {
    const d = new SpikeDetector();
    for (let i = 0; i < 10; i++) d.add(msg(i * B));
    d.add(msg(10 * B, Array(50).fill("Kappa")));
    for (let k = 0; k < 12; k++) d.add(msg(10 * B + 100 + k, ["Pog"]));
    expect(d.tick(11 * B + 1)?.highlight.label).toBe("Pog");
  });
});

describe("median", () => {
  it("of odd, even and empty lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
