/**
 * The soak test's arithmetic (slopes, warm-up, window minima, error tally, verdict), and
 * the soak itself for ~24 s at a tiny load against a real embedded server: the report must
 * be complete and its figures must come from what really happened (samples taken, slopes
 * fitted to them, messages counted by the server, churn cycles done, forced GCs measured).
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/loadgen/options.js";
import type { LoadResult } from "../src/loadgen/run.js";
import {
  cpuPressureTotalUs,
  leastSquares,
  loadErrors,
  logLevelOf,
  newTailLines,
  type Point,
  percentPerHour,
  tally,
  trendOf,
  verdictOf,
  warmupSecFor,
  windowMinima,
} from "../src/soak/analysis.js";
import { parseSoakOptions } from "../src/soak/options.js";
import { renderSoakReport } from "../src/soak/report.js";
import { runSoak, type SoakSample, splitSubscribers, summarizeSamples } from "../src/soak/run.js";
import { readMetrics } from "../src/soak/sampler.js";
import { summarizeSamples as summarizeLatencies } from "../src/stats.js";
import { emptyCounts } from "../src/tracker.js";

/** Deterministic noise in [-1, 1) (a small LCG), so the noisy-fit tests do not flake. */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  };
}

describe("least squares and %/h", () => {
  it("recovers an exact line", () => {
    const points = [0, 10, 20, 30, 40].map((t) => ({ atSec: t, value: 5 + 2 * t }));
    const fit = leastSquares(points);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(5, 12);
    expect(fit.slopeStderr).toBeCloseTo(0, 12);
  });

  it("gives no slope without two distinct times", () => {
    expect(leastSquares([{ atSec: 1, value: 3 }]).slope).toBeNaN();
    expect(
      leastSquares([
        { atSec: 1, value: 3 },
        { atSec: 1, value: 4 },
      ]).slope,
    ).toBeNaN();
  });

  it("converts a per-second slope into % of the level per hour", () => {
    // 1 byte/s on 360,000 bytes is 3,600 bytes/h: 1 %/h.
    expect(percentPerHour(1, 360_000)).toBeCloseTo(1, 12);
    expect(percentPerHour(-2, 720_000)).toBeCloseTo(-1, 12);
    expect(percentPerHour(1, 0)).toBeNaN();
  });

  it("fits a noisy series to its true slope within a few standard errors, relative to the mean", () => {
    const rand = noise(42);
    // 50 MiB growing 0.5 MiB/h (≈ 1 %/h), ±2 MiB noise, one point a minute for an hour.
    const mib = 1024 * 1024;
    const points: Point[] = Array.from({ length: 61 }, (_, i) => ({
      atSec: i * 60,
      value: 50 * mib + (0.5 * mib * i) / 60 + 2 * mib * rand(),
    }));
    const t = trendOf(points);
    expect(t).toBeDefined();
    if (!t) return;
    expect(t.points).toBe(61);
    expect(t.first).toBe(points[0]?.value);
    expect(t.last).toBe(points[60]?.value);
    expect(t.stderrPctPerHour).toBeGreaterThan(0);
    const trueSlope = (0.5 / t.mean) * mib * 100;
    expect(Math.abs(t.slopePctPerHour - trueSlope)).toBeLessThan(3 * t.stderrPctPerHour);
    expect(t.slopePerHour).toBeCloseTo(leastSquares(points).slope * 3600, 6);
  });

  it("has no trend with fewer than 3 points", () => {
    expect(
      trendOf([
        { atSec: 0, value: 1 },
        { atSec: 1, value: 2 },
      ]),
    ).toBeUndefined();
  });
});

describe("window minima", () => {
  it("follows the troughs of a sawtooth, not its teeth", () => {
    // Live heap 40 MB + 1 KB/s; garbage piles up 0–10 MB over each 30 s and is collected.
    const points: Point[] = Array.from({ length: 600 }, (_, i) => ({
      atSec: i * 5,
      value: 40e6 + 1000 * i * 5 + ((i % 6) / 5) * 10e6,
    }));
    const minima = windowMinima(points, 60);
    expect(minima).toHaveLength(50);
    for (const p of minima) expect(p.value).toBeCloseTo(40e6 + 1000 * p.atSec, 0);
    expect(leastSquares(minima).slope).toBeCloseTo(1000, 6);
    // The raw sawtooth would have a mean 5 MB higher: the %/h differs, the troughs are the heap.
    expect(windowMinima([], 60)).toEqual([]);
  });
});

describe("warm-up, tally, logs, verdict", () => {
  it("leaves out 10 % of a long run, at least 2 min or a quarter of a short one", () => {
    expect(warmupSecFor(3600)).toBe(360);
    expect(warmupSecFor(600)).toBe(120);
    expect(warmupSecFor(180)).toBe(45);
    expect(warmupSecFor(24)).toBe(6);
  });

  it("tallies errors without the zeros", () => {
    expect(tally({ a: 0, b: 3, c: 2, d: Number.NaN })).toEqual({ total: 5, byKind: { b: 3, c: 2 } });
    expect(tally({})).toEqual({ total: 0, byKind: {} });
  });

  it("counts every kind of load failure, and subscribers' problems by kind", () => {
    const counts = { ...emptyCounts(), lost: 3, seqGaps: 2, duplicates: 1 };
    const result: LoadResult = {
      label: "x",
      ok: true,
      channels: 1,
      subscribers: { requested: 5, subscribed: 4, failed: 1, failures: {}, connectSec: 1, connectsPerSec: 4, slow: 0 },
      publish: {
        sent: 10,
        acked: 8,
        rejected: 1,
        rejectedBy: { rate_limited: 1 },
        unanswered: 1,
        ack: summarizeLatencies([1, 2]),
        acksPerSec: 8,
        maxScheduleLagMs: 0,
        firstSendMs: 0,
        lastSendMs: 1,
      },
      deliveries: 30,
      expectedDeliveries: 33,
      deliveriesPerSec: 30,
      framesPerSec: 30,
      bytesPerSec: 3000,
      latency: summarizeLatencies([1]),
      counts,
      reconnects: 2,
      notRecovered: 1,
      problems: { "close:1006": 2 },
      strays: 0,
      negativeLatencies: 0,
      server: { source: "proc", cpuPct: 1, rssBytes: 1, rssPeakBytes: 1 },
      generator: { windowSec: 1, workersCpuPct: 1, parentCpuPct: 1 },
      notes: [],
    };
    expect(tally(loadErrors(result))).toEqual({
      total: 1 + 1 + 1 + 3 + 1 + 2 + 1 + 2,
      byKind: {
        "load: connects failed": 1,
        "load: publishes rejected": 1,
        "load: publishes unanswered": 1,
        "load: messages lost": 3,
        "load: duplicate deliveries": 1,
        "load: seq gaps": 2,
        "load: resumes not recovered": 1,
        "load subscribers saw: close:1006": 2,
      },
    });
    expect(tally(loadErrors({ ...result, ok: false })).byKind["load: run failed"]).toBe(1);
  });

  it("finds the new lines of a rolling output tail", () => {
    expect(newTailLines(["a", "b", "c"], ["b", "c", "d", "e"])).toEqual(["d", "e"]);
    expect(newTailLines(["a", "b"], ["a", "b"])).toEqual([]);
    expect(newTailLines(["a", "b"], ["x", "y"])).toEqual(["x", "y"]);
    expect(newTailLines([], ["x"])).toEqual(["x"]);
  });

  it("reads the CPU pressure stall total", () => {
    const psi =
      "some avg10=68.76 avg60=86.70 avg300=86.51 total=1184883295\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
    expect(cpuPressureTotalUs(psi)).toBe(1184883295);
    expect(cpuPressureTotalUs("")).toBeUndefined();
  });

  it("reads pino levels and ignores other lines", () => {
    expect(logLevelOf('{"level":50,"msg":"boom"}')).toBe(50);
    expect(logLevelOf("Debugger listening on ws://127.0.0.1:1/x")).toBeUndefined();
    expect(logLevelOf("{not json")).toBeUndefined();
  });

  it("judges slopes only from 30 minutes, errors always", () => {
    const base = trendOf([0, 1, 2].map((atSec) => ({ atSec, value: 1 })))!;
    const rising = { ...base, slopePctPerHour: 5 };
    const flat = { ...base, slopePctPerHour: 0.4 };
    expect(verdictOf({ minutes: 3, heap: rising, rss: rising, errors: 0 })).toEqual({
      pass: true,
      slopesJudged: false,
      reasons: [],
    });
    expect(verdictOf({ minutes: 3, heap: flat, rss: flat, errors: 2 }).pass).toBe(false);
    expect(verdictOf({ minutes: 60, heap: flat, rss: flat, errors: 0 })).toEqual({
      pass: true,
      slopesJudged: true,
      reasons: [],
    });
    const slopeFail = verdictOf({ minutes: 60, heap: flat, rss: { ...flat, slopePctPerHour: 1 }, errors: 0 });
    expect(slopeFail.pass).toBe(false);
    expect(slopeFail.reasons.join()).toContain("RSS grows 1.00 %/h");
    expect(verdictOf({ minutes: 30, heap: undefined, rss: flat, errors: 0 }).reasons).toEqual([
      "no heap slope (too few samples)",
    ]);
  });
});

describe("soak plan, metrics and flags", () => {
  it("splits the subscribers into a steady group and a churn group", () => {
    expect(splitSubscribers({ subscribers: 2000, churnPctPerMin: 10, churnEverySec: 15 })).toEqual({
      steady: 1950,
      churn: 50,
    });
    expect(splitSubscribers({ subscribers: 10, churnPctPerMin: 1, churnEverySec: 15 })).toEqual({
      steady: 9,
      churn: 1,
    });
    expect(splitSubscribers({ subscribers: 10, churnPctPerMin: 0, churnEverySec: 15 })).toEqual({
      steady: 10,
      churn: 0,
    });
  });

  it("reads the figures from /metrics, and no event-loop delay from an empty window", () => {
    const page = (min: string, max: string, p99: string) =>
      [
        "# HELP nodejs_heap_size_used_bytes x",
        "nodejs_heap_size_used_bytes 50000000",
        "process_resident_memory_bytes 600000000",
        `nodejs_eventloop_lag_min_seconds ${min}`,
        `nodejs_eventloop_lag_max_seconds ${max}`,
        `nodejs_eventloop_lag_p99_seconds ${p99}`,
        'chorus_connections{transport="ws"} 7',
        'chorus_connections{transport="sse"} 2',
      ].join("\n");
    const m = readMetrics(page("0.009", "0.03", "0.0125"));
    expect(m).toMatchObject({ heapUsedBytes: 50_000_000, rssBytes: 600_000_000, connections: 9 });
    expect(m.eventLoopP99Ms).toBeCloseTo(12.5, 9);
    expect(m.eventLoopMaxMs).toBeCloseTo(30, 9);
    const empty = readMetrics(page("9223372036.854776", "0", "5.11e-7"));
    expect(empty.eventLoopP99Ms).toBeNull();
    expect(empty.messagesAccepted).toBeNull();
  });

  it("trends only the publishing samples after the warm-up", () => {
    const sample = (atSec: number, phase: SoakSample["phase"], heap: number): SoakSample => ({
      atSec,
      phase,
      heapUsedBytes: heap + 5,
      heapAfterGcBytes: heap,
      heapTotalBytes: null,
      externalBytes: null,
      rssBytes: 10 * heap,
      eventLoopP99Ms: heap / 10,
      eventLoopMaxMs: heap,
      gcMs: 1,
      cpuPct: null,
      machineCpuPct: 50,
      cpuPressurePct: heap / 100,
      connections: null,
      messagesAccepted: null,
      eventsDelivered: null,
      slowConsumerDisconnects: null,
      load: null,
      churn: null,
      errorsSoFar: 0,
    });
    const samples = [
      sample(0, "connecting", 1000),
      sample(10, "publishing", 900), // warm-up
      sample(20, "publishing", 100),
      sample(30, "publishing", 110),
      sample(40, "publishing", 120),
      sample(50, "draining", 5000),
    ];
    const s = summarizeSamples(samples, { fromSec: 20, toSec: 45 }, 60);
    expect(s.heapMethod).toBe("forced");
    expect(s.heap).toMatchObject({ points: 3, first: 100, last: 120, mean: 110, slopePerHour: 3600 });
    expect(s.rss).toMatchObject({ points: 3, first: 1000, last: 1200 });
    expect(s.eventLoop).toEqual({ windows: 3, p99MaxMs: 12, p99MedianMs: 11, maxMs: 120, p99MaxAllMs: 90 });
    // The machine figures cover all of publishing, warm-up included.
    expect(s.machine.cpuMeanPct).toBe(50);
    expect(s.machine.cpuPressureMeanPct).toBeCloseTo((9 + 1 + 1.1 + 1.2) / 4, 9);
    expect(s.machine.cpuPressureMaxPct).toBe(9);
  });

  it("parses the flags, with the steady scenario's load and an hour by default", () => {
    expect(parseSoakOptions([])).toEqual({
      minutes: 60,
      subscribers: 2000,
      rate: 100,
      workers: undefined,
      churnPctPerMin: 10,
      churnEverySec: 15,
      sampleEverySec: 15,
      gcEverySec: 60,
      warmupSec: undefined,
      out: undefined,
    });
    expect(parseSoakOptions(["-m", "3", "--gc-every", "off", "-o", "x.json"])).toMatchObject({
      minutes: 3,
      gcEverySec: null,
      out: "x.json",
    });
    expect(parseSoakOptions(["-h"])).toBeUndefined();
    expect(parseSoakOptions(["--gc-every", "30"])?.gcEverySec).toBe(30);
    expect(() => parseSoakOptions(["--gc-every", "sometimes"])).toThrow(UsageError);
    expect(() => parseSoakOptions(["--churn-every", "1"])).toThrow(UsageError);
    expect(() => parseSoakOptions(["--bogus"])).toThrow(UsageError);
  });
});

describe("a short soak against a real server", () => {
  it("samples, fits, churns and counts for real", { timeout: 240_000 }, async () => {
    const minutes = 0.4;
    const rate = 20;
    const report = await runSoak({
      minutes,
      subscribers: 12,
      rate,
      workers: 1,
      churnPctPerMin: 300,
      churnEverySec: 3,
      sampleEverySec: 2,
      warmupSec: 4,
      gcEverySec: 2,
    });
    const detail = renderSoakReport(report);
    expect(report.plan).toMatchObject({ steadySubscribers: 10, churnSubscribers: 2, publishSec: 24 });

    // Samples: one every 2 s from the server's start to the end, in order, each a real reading.
    const { samples } = report;
    const publishing = samples.filter((s) => s.phase === "publishing");
    expect(publishing.length, detail).toBeGreaterThanOrEqual(10);
    for (const [i, s] of samples.entries()) {
      if (i > 0) expect(s.atSec).toBeGreaterThan(samples[i - 1]?.atSec ?? Number.POSITIVE_INFINITY);
      expect(s.heapAfterGcBytes).toBeGreaterThan(1024 * 1024);
      expect(s.rssBytes).toBeGreaterThan(s.heapAfterGcBytes ?? Number.POSITIVE_INFINITY);
      expect(s.gcMs).toBeGreaterThan(0);
      // Whole-machine figures are shares of a window (null for the first, and off Linux).
      for (const pct of [s.machineCpuPct, s.cpuPressurePct]) {
        if (pct !== null) {
          expect(pct).toBeGreaterThanOrEqual(0);
          expect(pct).toBeLessThanOrEqual(101);
        }
      }
    }
    expect(samples[0]?.cpuPressurePct).toBeNull();
    // The forced GC is real: heap used after it is below heap used before it, on average.
    const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    expect(mean(samples.map((s) => s.heapAfterGcBytes ?? 0))).toBeLessThan(
      mean(samples.map((s) => s.heapUsedBytes ?? 0)),
    );
    expect(report.forcedGc?.count).toBe(samples.length);
    // The server saw the subscribers: steady + churn (+ the publishers) while publishing.
    expect(Math.max(...publishing.map((s) => s.connections ?? 0))).toBeGreaterThanOrEqual(11);

    // The trends are fitted to exactly the publishing samples after the warm-up.
    const start = report.publishing.startSec ?? Number.NaN;
    const end = report.publishing.endSec ?? Number.NaN;
    expect(end - start).toBeGreaterThan(20);
    const analysed = publishing.filter((s) => s.atSec >= start + report.options.warmupSec && s.atSec <= end);
    const heap = trendOf(analysed.map((s) => ({ atSec: s.atSec, value: s.heapAfterGcBytes ?? Number.NaN })));
    const rss = trendOf(analysed.map((s) => ({ atSec: s.atSec, value: s.rssBytes ?? Number.NaN })));
    expect(report.heap?.points).toBe(analysed.length);
    expect(report.heap?.slopePctPerHour).toBeCloseTo(heap?.slopePctPerHour ?? Number.NaN, 9);
    expect(report.rss?.slopePctPerHour).toBeCloseTo(rss?.slopePctPerHour ?? Number.NaN, 9);
    expect(report.heap?.first).toBe(analysed[0]?.heapAfterGcBytes);
    expect(report.eventLoop.windows).toBe(analysed.length);
    expect(report.eventLoop.p99MaxMs).toBe(Math.max(...analysed.map((s) => s.eventLoopP99Ms ?? 0)));
    // prom-client samples the loop every 10 ms: even an idle loop reads about that.
    expect(report.eventLoop.p99MaxMs).toBeGreaterThan(5);
    expect(report.eventLoop.p99MaxMs).toBeLessThan(5_000);

    // Messages: the open-loop plan, every one acked and delivered to every steady subscriber,
    // and the server's own counter agrees with the load's plus the re-authenticating publisher's.
    const m = report.messages;
    expect(m.sent).toBe(Math.round(rate * minutes * 60));
    expect(m.acked).toBe(m.sent);
    expect(m.deliveries).toBe(m.acked * 10);
    expect(m.serverAccepted).toBe(m.acked + m.reauthPublished);

    // Churn: the group dropped and came back every 3 s; the publisher logged in and out as often.
    const churn = report.churn;
    expect(churn?.cycles).toBeGreaterThanOrEqual(5);
    expect(churn?.dropped).toBe((churn?.cycles ?? 0) * 2);
    expect(churn?.slowestBackSec).toBeGreaterThan(0);
    expect(report.reauth?.cycles).toBeGreaterThanOrEqual(5);
    expect(m.reauthPublished).toBe((report.reauth?.cycles ?? 0) * 2);
    expect(report.load?.reconnects).toBe(0);

    // Errors: none here, and the total is the sum of its kinds.
    expect(report.errors, detail).toEqual({ total: 0, byKind: {} });
    expect(report.verdict).toEqual({ pass: true, slopesJudged: false, reasons: [] });
    expect(detail).toContain("slopes NOT judged");
  });
});
