/**
 * The live analysis's pure logic, without a browser: the charts' point ring, stats → chart
 * series (window, gaps), highlights on a timeline and the replay's jump, the questions queue's
 * local marks, the summary feed, emote images learnt from messages, and the settings editor.
 */
import { type ChannelStats, LIMITS, type Message } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import {
  audienceSeries,
  barFractions,
  CHART_WINDOW_MS,
  catchUpSummary,
  countMarks,
  describeHighlight,
  describeMood,
  formatMood,
  formatShare,
  GAP_MS,
  highlightPlayhead,
  learnEmoteUrls,
  markQuestion,
  mergeSummaries,
  openQuestions,
  PointRing,
  parseAnalysisNumber,
  pointCount,
  pruneMarks,
  RING_CAPACITY,
  rateSeries,
  STATS_INTERVAL_MS,
  type StatsPoint,
  type StoredSummary,
  sentimentEmoteRows,
  sentimentSeries,
  timelineMarks,
  toPoint,
  withoutSentimentEmote,
  withSentimentEmote,
} from "../src/lib/analysis.js";

const T0 = 1_700_000_000_000;

function point(at: number, overrides: Partial<StatsPoint> = {}): StatsPoint {
  return {
    at,
    lastMinute: 10,
    messagesPerMinute: 8,
    positive: 0.5,
    neutral: 0.3,
    negative: 0.2,
    mood: 0.25,
    viewers: 40,
    chatters: 7,
    ...overrides,
  };
}

function message(id: string, overrides: Partial<Message> = {}): Message {
  return {
    id,
    channel: "c",
    seq: 1,
    text: `is this ${id}?`,
    createdAt: T0,
    author: {
      id: "u1",
      username: "alice",
      displayName: "Alice",
      color: "#ff0000",
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
    ...overrides,
  };
}

describe("point ring", () => {
  it("keeps the newest `capacity` points, oldest first, through many wrap-arounds", () => {
    const ring = new PointRing(5);
    for (let i = 1; i <= 23; i++) expect(ring.push(point(T0 + i * 1000))).toBe(true);
    expect(ring.length).toBe(5);
    expect(ring.toArray().map((p) => (p.at - T0) / 1000)).toEqual([19, 20, 21, 22, 23]);
    expect(ring.last()?.at).toBe(T0 + 23_000);
  });

  it("refuses a point not newer than the last (a late seed, a repeat) and changes nothing", () => {
    const ring = new PointRing(3);
    ring.push(point(T0 + 2000));
    expect(ring.push(point(T0 + 2000))).toBe(false);
    expect(ring.push(point(T0 + 1000))).toBe(false);
    expect(ring.length).toBe(1);
    expect(ring.push(point(T0 + 3000))).toBe(true);
    expect(ring.toArray().map((p) => p.at)).toEqual([T0 + 2000, T0 + 3000]);
  });

  it("starts over when cleared, and holds 30 minutes of 2-second stats by default", () => {
    const ring = new PointRing();
    expect(ring.capacity).toBe(RING_CAPACITY);
    expect(RING_CAPACITY * STATS_INTERVAL_MS).toBeGreaterThanOrEqual(CHART_WINDOW_MS);
    for (let i = 0; i < RING_CAPACITY + 50; i++) ring.push(point(T0 + i * STATS_INTERVAL_MS));
    expect(ring.length).toBe(RING_CAPACITY);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.last()).toBeUndefined();
    expect(ring.push(point(T0))).toBe(true);
    expect(ring.toArray()).toHaveLength(1);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new PointRing(0)).toThrow(RangeError);
    expect(() => new PointRing(2.5)).toThrow(RangeError);
  });
});

describe("stats → chart series", () => {
  it("reduces a ChannelStats to its point", () => {
    const stats: ChannelStats = {
      at: T0,
      messagesPerMinute: 12.5,
      lastMinute: 20,
      chatters: 9,
      viewers: 120,
      sentiment: { positive: 0.6, neutral: 0.3, negative: 0.1 },
      mood: 0.4,
      topEmotes: [],
      topTerms: [],
      questions: [],
    };
    expect(toPoint(stats)).toEqual({
      at: T0,
      lastMinute: 20,
      messagesPerMinute: 12.5,
      positive: 0.6,
      neutral: 0.3,
      negative: 0.1,
      mood: 0.4,
      viewers: 120,
      chatters: 9,
    });
  });

  it("maps points to uPlot's columns: x in seconds, then each series", () => {
    const points = [
      point(T0, { lastMinute: 3, messagesPerMinute: 2.04 }),
      point(T0 + 2000, { lastMinute: 5, messagesPerMinute: 2.46 }),
    ];
    expect(rateSeries(points)).toEqual([
      [T0 / 1000, T0 / 1000 + 2],
      [3, 5],
      [2, 2.5],
    ]);
    expect(sentimentSeries([point(T0, { positive: 0.4567, negative: 0.1, mood: -0.12345 })])).toEqual([
      [T0 / 1000],
      [45.7],
      [10],
      [-0.123],
    ]);
    expect(audienceSeries([point(T0, { viewers: 99, chatters: 4 })])).toEqual([[T0 / 1000], [99], [4]]);
  });

  it("draws only the window before the newest point", () => {
    const every2s = (from: number, n: number) => Array.from({ length: n }, (_, i) => point(from + i * 2000));
    const points = every2s(T0, 10);
    expect(rateSeries(points)[0]).toHaveLength(10);
    // 40 minutes of points: the chart shows the last 30 of them.
    const long = every2s(T0, 1200);
    const [x] = rateSeries(long);
    expect(x).toHaveLength(CHART_WINDOW_MS / 2000 + 1);
    expect(x[0]).toBe((T0 + 1199 * 2000 - CHART_WINDOW_MS) / 1000);
    expect(x.at(-1)).toBe((T0 + 1199 * 2000) / 1000);
  });

  it("breaks every line where the server went quiet, and counts only real points", () => {
    const points = [point(T0), point(T0 + 2000), point(T0 + 2000 + GAP_MS + 1), point(T0 + 4000 + GAP_MS + 1)];
    const data = sentimentSeries(points);
    expect(data[0]).toHaveLength(5);
    expect(data[0][2]).toBe((T0 + 2000 + STATS_INTERVAL_MS) / 1000);
    for (const series of data.slice(1)) expect(series[2]).toBeNull();
    expect(pointCount(data)).toBe(4);
    // A gap of exactly GAP_MS is still one line.
    expect(pointCount(rateSeries([point(T0), point(T0 + GAP_MS)]))).toBe(2);
    expect(rateSeries([point(T0), point(T0 + GAP_MS)])[0]).toHaveLength(2);
  });

  it("gives empty columns for no points", () => {
    expect(rateSeries([])).toEqual([[]]);
    expect(pointCount(rateSeries([]))).toBe(0);
  });

  it("words the numbers", () => {
    expect(formatShare(0.426)).toBe("43%");
    expect(formatShare(1.2)).toBe("100%");
    expect(formatMood(0.3)).toBe("+0.30");
    expect(formatMood(-0.05)).toBe("-0.05");
    expect(formatMood(0)).toBe("0.00");
    expect(formatMood(3)).toBe("+1.00");
    expect([0.5, 0.15, 0, -0.2, -0.8].map(describeMood)).toEqual([
      "very positive",
      "positive",
      "neutral",
      "negative",
      "very negative",
    ]);
    expect(barFractions([8, 4, 2])).toEqual([1, 0.5, 0.25]);
    expect(barFractions([0, 0])).toEqual([0, 0]);
  });
});

describe("highlights on a timeline", () => {
  const h = (at: number, seq: number, label = "PogChamp") => ({ at, seq, rate: 120, baseline: 20, label });

  it("places each highlight by its time between start and end, in time order, dropping outsiders", () => {
    const marks = timelineMarks([h(T0 + 750, 9), h(T0 + 250, 3), h(T0 - 1, 1), h(T0 + 1001, 12)], T0, T0 + 1000);
    expect(marks.map((m) => [m.seq, m.fraction])).toEqual([
      [3, 0.25],
      [9, 0.75],
    ]);
    expect(timelineMarks([h(T0, 1), h(T0 + 1000, 2)], T0, T0 + 1000).map((m) => m.fraction)).toEqual([0, 1]);
  });

  it("puts everything at the start of an empty span", () => {
    expect(timelineMarks([h(T0, 1)], T0, T0).map((m) => m.fraction)).toEqual([0]);
  });

  it("jumps the replay to the highlight's first message, or to its time when that message is gone", () => {
    const messages = [
      { seq: 4, createdAt: T0 + 100 },
      { seq: 5, createdAt: T0 + 180 },
    ];
    expect(highlightPlayhead(h(T0 + 150, 5), messages)).toBe(T0 + 180);
    expect(highlightPlayhead(h(T0 + 150, 6), messages)).toBe(T0 + 150);
  });

  it("describes a spike against its baseline", () => {
    expect(describeHighlight(h(T0, 1))).toBe("PogChamp · 120/min, 6.0× the usual 20/min");
    expect(describeHighlight({ label: "LUL", rate: 300, baseline: 10 })).toBe("LUL · 300/min, 30× the usual 10/min");
    expect(describeHighlight({ label: "gg", rate: 40, baseline: 0 })).toBe("gg · 40/min");
  });
});

describe("questions queue", () => {
  const questions = [message("a"), message("b"), message("c")];

  it("shows the server's questions minus those marked here, in the server's order", () => {
    let marks = markQuestion({}, "b", "answered");
    expect(openQuestions(questions, marks).map((q) => q.id)).toEqual(["a", "c"]);
    marks = markQuestion(marks, "a", "dismissed");
    expect(openQuestions(questions, marks).map((q) => q.id)).toEqual(["c"]);
    expect(countMarks(marks)).toEqual({ answered: 1, dismissed: 1 });
  });

  it("keeps the same marks object when nothing changes", () => {
    const marks = markQuestion({}, "a", "answered");
    expect(markQuestion(marks, "a", "answered")).toBe(marks);
    expect(markQuestion(marks, "a", "dismissed")).toEqual({ a: "dismissed" });
  });

  it("forgets marks of questions that left the server's list, so the marks stay bounded", () => {
    const marks = { a: "answered", b: "dismissed" } as const;
    expect(pruneMarks(marks, questions)).toBe(marks);
    const pruned = pruneMarks(marks, [message("b"), message("d")]);
    expect(pruned).toEqual({ b: "dismissed" });
    // A question that comes back after leaving is open again.
    expect(openQuestions([message("a")], pruned).map((q) => q.id)).toEqual(["a"]);
    expect(pruneMarks({}, [])).toEqual({});
  });
});

describe("summaries", () => {
  const s = (seq: number): StoredSummary => ({ seq, at: T0 + seq, text: `summary ${seq}`, fromSeq: 1, toSeq: seq });

  it("merges the seed and live events by seq, without duplicates, oldest first, newest kept", () => {
    const seeded = mergeSummaries([], [s(10), s(30)]);
    const live = mergeSummaries(seeded, [s(40), s(30)]);
    expect(live.map((x) => x.seq)).toEqual([10, 30, 40]);
    expect(mergeSummaries(live, [s(20)]).map((x) => x.seq)).toEqual([10, 20, 30, 40]);
    expect(mergeSummaries(live, [s(50), s(60)], 3).map((x) => x.seq)).toEqual([40, 50, 60]);
  });

  it("returns the same list when nothing is new (no store update)", () => {
    const list = mergeSummaries([], [s(1)]);
    expect(mergeSummaries(list, [s(1)])).toBe(list);
    expect(mergeSummaries(list, [])).toBe(list);
  });

  it("the catch-me-up card shows the latest until closed, and again for a newer one", () => {
    const list = [s(10), s(20)];
    expect(catchUpSummary(list, 0)?.seq).toBe(20);
    expect(catchUpSummary(list, 20)).toBeUndefined();
    expect(catchUpSummary([...list, s(30)], 20)?.seq).toBe(30);
    expect(catchUpSummary([], 0)).toBeUndefined();
  });
});

describe("emote images", () => {
  it("remembers https images by name, the latest URL winning; anything else stays unknown", () => {
    const urls = new Map<string, string>();
    learnEmoteUrls(urls, [
      { name: "Kappa", start: 0, end: 4, url: "https://cdn.example/kappa/1" },
      { name: "Pog", start: 6, end: 8, url: "http://insecure.example/pog.png" },
      { name: "NoUrl", start: 10, end: 14 },
      { name: "Evil", start: 16, end: 19, url: "javascript:alert(1)" },
    ]);
    expect([...urls.keys()]).toEqual(["Kappa"]);
    learnEmoteUrls(urls, [{ name: "Kappa", start: 0, end: 4, url: "https://cdn.example/kappa/2" }]);
    expect(urls.get("Kappa")).toBe("https://cdn.example/kappa/2");
    learnEmoteUrls(urls, undefined);
    expect(urls.size).toBe(1);
  });

  it("forgets the least recently seen beyond its bound", () => {
    const urls = new Map<string, string>();
    const emote = (name: string) => ({ name, start: 0, end: 1, url: `https://cdn.example/${name}` });
    learnEmoteUrls(urls, [emote("a"), emote("b"), emote("c")], 3);
    learnEmoteUrls(urls, [emote("a")], 3); // seen again: now the most recent
    learnEmoteUrls(urls, [emote("d")], 3);
    expect([...urls.keys()]).toEqual(["c", "a", "d"]);
  });
});

describe("analysis settings", () => {
  it("reads summary numbers within the protocol's ranges", () => {
    expect(parseAnalysisNumber("summaryEvery", " 5 ")).toEqual({ ok: true, value: 5 });
    expect(parseAnalysisNumber("summaryEvery", "4").ok).toBe(false);
    expect(parseAnalysisNumber("summaryEvery", "1001").ok).toBe(false);
    expect(parseAnalysisNumber("summaryWindow", "10")).toEqual({ ok: true, value: 10 });
    expect(parseAnalysisNumber("summaryWindow", "9").ok).toBe(false);
    expect(parseAnalysisNumber("summaryWindow", "12.5").ok).toBe(false);
    expect(parseAnalysisNumber("summaryWindow", "").ok).toBe(false);
  });

  it("adds, replaces and removes emote feelings, case kept, within -5 … 5", () => {
    const added = withSentimentEmote({}, " PogChamp ", "4");
    expect(added).toEqual({ ok: true, emotes: { PogChamp: 4 } });
    if (!added.ok) throw new Error("unreachable");
    const more = withSentimentEmote(added.emotes, "pogchamp", "-2");
    expect(more.ok && more.emotes).toEqual({ PogChamp: 4, pogchamp: -2 });
    const replaced = withSentimentEmote(added.emotes, "PogChamp", "0");
    expect(replaced.ok && replaced.emotes).toEqual({ PogChamp: 0 });
    expect(withoutSentimentEmote({ a: 1, b: -1 }, "a")).toEqual({ b: -1 });
    expect(withoutSentimentEmote({ a: 1 }, "zzz")).toEqual({ a: 1 });
  });

  it("refuses what the server would refuse", () => {
    expect(withSentimentEmote({}, "", "1").ok).toBe(false);
    expect(withSentimentEmote({}, "two words", "1").ok).toBe(false);
    expect(withSentimentEmote({}, "x".repeat(LIMITS.emoteNameMax + 1), "1").ok).toBe(false);
    expect(withSentimentEmote({}, "x".repeat(LIMITS.emoteNameMax), "1").ok).toBe(true);
    for (const bad of ["6", "-6", "1.5", "", "plenty"]) expect(withSentimentEmote({}, "Kappa", bad).ok).toBe(false);
    const full = Object.fromEntries(Array.from({ length: LIMITS.sentimentEmotesMax }, (_, i) => [`e${i}`, 1]));
    expect(withSentimentEmote(full, "one_more", "1").ok).toBe(false);
    // Changing one already listed is no addition.
    expect(withSentimentEmote(full, "e0", "-3").ok).toBe(true);
  });

  it("lists the strongest feelings first", () => {
    expect(sentimentEmoteRows({ b: 2, a: 2, c: -5, d: 5 }).map((r) => r.name)).toEqual(["d", "a", "b", "c"]);
  });
});
