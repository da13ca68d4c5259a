/**
 * The soak test's arithmetic, free of I/O so that every rule is unit-tested
 * (bench/test/soak.test.ts): the least-squares trend of a memory series in % of its level
 * per hour, the warm-up left out of it, the minimum-per-window fallback for heap samples
 * taken without a forced GC, the error tally, and the verdict.
 */
import type { LoadResult } from "../loadgen/run.js";

/** Above this growth of heap or RSS, per hour, relative to its level, a long soak fails. */
export const SLOPE_LIMIT_PCT_PER_HOUR = 1;
/**
 * Runs shorter than this are not judged on their slopes: over a few minutes, the noise of
 * the series (±1 MiB of a 50 MiB heap is 2 %) is larger than 1 %/h could ever show.
 */
export const JUDGED_FROM_MINUTES = 30;

/** One value of a series: seconds since the soak began, and the value then. */
export interface Point {
  atSec: number;
  value: number;
}

export interface LineFit {
  /** Value units per second. */
  slope: number;
  /** Value at `atSec` = 0. */
  intercept: number;
  /** Standard error of `slope` (NaN with fewer than 3 points). */
  slopeStderr: number;
}

/** Ordinary least squares of value on time; NaN slope with fewer than 2 distinct times. */
export function leastSquares(points: readonly Point[]): LineFit {
  const n = points.length;
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, slopeStderr: Number.NaN };
  let sumT = 0;
  let sumV = 0;
  for (const p of points) {
    sumT += p.atSec;
    sumV += p.value;
  }
  const meanT = sumT / n;
  const meanV = sumV / n;
  let sTT = 0;
  let sTV = 0;
  for (const p of points) {
    sTT += (p.atSec - meanT) ** 2;
    sTV += (p.atSec - meanT) * (p.value - meanV);
  }
  if (sTT === 0) return { slope: Number.NaN, intercept: Number.NaN, slopeStderr: Number.NaN };
  const slope = sTV / sTT;
  const intercept = meanV - slope * meanT;
  let residuals = 0;
  for (const p of points) residuals += (p.value - (intercept + slope * p.atSec)) ** 2;
  const slopeStderr = n > 2 ? Math.sqrt(residuals / (n - 2) / sTT) : Number.NaN;
  return { slope, intercept, slopeStderr };
}

/** A per-second slope as % of `level` per hour. */
export function percentPerHour(slopePerSec: number, level: number): number {
  return level === 0 ? Number.NaN : ((slopePerSec * 3600) / level) * 100;
}

export interface Trend {
  /** Points the fit used. */
  points: number;
  first: number;
  last: number;
  min: number;
  max: number;
  mean: number;
  /** Least-squares slope, value units per hour. */
  slopePerHour: number;
  /** The same relative to the mean level: what the 1 %/h limit applies to. */
  slopePctPerHour: number;
  /** Standard error of that slope, %/h: a slope within about two of these of 0 could be noise. */
  stderrPctPerHour: number;
}

/** The trend of a series; undefined when it has fewer than 3 points (no slope worth printing). */
export function trendOf(points: readonly Point[]): Trend | undefined {
  if (points.length < 3) return undefined;
  const values = points.map((p) => p.value);
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const fit = leastSquares(points);
  return {
    points: points.length,
    first: values[0] as number,
    last: values[values.length - 1] as number,
    min: Math.min(...values),
    max: Math.max(...values),
    mean,
    slopePerHour: fit.slope * 3600,
    slopePctPerHour: percentPerHour(fit.slope, mean),
    stderrPctPerHour: percentPerHour(fit.slopeStderr, mean),
  };
}

/**
 * The lowest point of each `windowSec` window (windows start at the first point): heap used
 * without a forced collection is a sawtooth, and its troughs — right after the collector
 * ran — are the live heap plus the least garbage, so their trend is the heap's trend.
 */
export function windowMinima(points: readonly Point[], windowSec: number): Point[] {
  const first = points[0];
  if (first === undefined || !(windowSec > 0)) return [...points];
  const minima = new Map<number, Point>();
  for (const p of points) {
    const w = Math.floor((p.atSec - first.atSec) / windowSec);
    const best = minima.get(w);
    if (best === undefined || p.value < best.value) minima.set(w, p);
  }
  return [...minima.values()].sort((a, b) => a.atSec - b.atSec);
}

/**
 * Seconds of publishing left out of the trends: the first 10 %, but at least 2 minutes (or a
 * quarter of a shorter run) — JIT compilation, the first full collections, the server's
 * caches and the store's buffers fill during the first minute or two, and that one-off
 * growth is not a leak.
 */
export function warmupSecFor(publishSec: number): number {
  return Math.max(0.1 * publishSec, Math.min(120, 0.25 * publishSec));
}

/** Error counts by kind with the zeros dropped, and their sum. */
export interface ErrorTally {
  total: number;
  byKind: Record<string, number>;
}

export function tally(counts: Record<string, number>): ErrorTally {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const [kind, n] of Object.entries(counts)) {
    if (!(n > 0)) continue;
    byKind[kind] = n;
    total += n;
  }
  return { total, byKind };
}

/**
 * Everything in a steady load's result that should be zero on a healthy server: failed
 * connects and publishes, lost, late, duplicated or out-of-sequence deliveries, resumes the
 * server could not serve, and whatever the subscribers saw that they should not have
 * (closes, error and reconnect frames) — a subscriber of the steady group is never dropped
 * on purpose, so every problem it reports is unexpected.
 */
export function loadErrors(r: LoadResult): Record<string, number> {
  const counts: Record<string, number> = {
    "load: run failed": r.ok ? 0 : 1,
    "load: connects failed": r.subscribers.failed,
    "load: publishes rejected": r.publish?.rejected ?? 0,
    "load: publishes unanswered": r.publish?.unanswered ?? 0,
    "load: messages lost": r.counts.lost,
    "load: messages late at the end": r.counts.late,
    "load: duplicate deliveries": r.counts.duplicates,
    "load: seq gaps": r.counts.seqGaps,
    "load: seq duplicates": r.counts.seqDuplicates,
    "load: seq tail missing": r.counts.seqTailMissing,
    "load: resumes not recovered": r.notRecovered,
  };
  for (const [kind, n] of Object.entries(r.problems)) counts[`load subscribers saw: ${kind}`] = n;
  return counts;
}

/**
 * The lines of `current` that were not in `previous`, for a rolling tail of a process's
 * output (the last N lines): the longest suffix of `previous` that `current` starts with is
 * what both have seen.
 */
export function newTailLines(previous: readonly string[], current: readonly string[]): string[] {
  for (let overlap = Math.min(previous.length, current.length); overlap > 0; overlap--) {
    let same = true;
    for (let i = 0; i < overlap; i++) {
      if (previous[previous.length - overlap + i] !== current[i]) {
        same = false;
        break;
      }
    }
    if (same) return current.slice(overlap);
  }
  return [...current];
}

/**
 * Microseconds some task has waited for a CPU since boot: the `total` of the `some` line of
 * Linux's /proc/pressure/cpu (PSI). Its growth over a window, divided by the window, is the
 * share of that time the machine was short of CPU. Undefined when the text has no such line.
 */
export function cpuPressureTotalUs(text: string): number | undefined {
  const m = /^some\b.*\btotal=(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The pino level of a JSON log line (40 warn, 50 error, 60 fatal); undefined for other lines. */
export function logLevelOf(line: string): number | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const level: unknown = (JSON.parse(line) as Record<string, unknown>)["level"];
    return typeof level === "number" ? level : undefined;
  } catch {
    return undefined;
  }
}

export interface Verdict {
  pass: boolean;
  /** Whether the slope limit was applied (runs of `JUDGED_FROM_MINUTES` or more). */
  slopesJudged: boolean;
  reasons: string[];
}

/**
 * Errors fail a run of any length. The slopes fail a run of 30 minutes or more at 1 %/h
 * — and so does a slope that could not be computed, since then nothing was shown.
 */
export function verdictOf(input: {
  minutes: number;
  heap: Trend | undefined;
  rss: Trend | undefined;
  errors: number;
}): Verdict {
  const reasons: string[] = [];
  const slopesJudged = input.minutes >= JUDGED_FROM_MINUTES;
  if (input.errors > 0) reasons.push(`${input.errors} error(s)`);
  if (slopesJudged) {
    for (const [name, trend] of [
      ["heap", input.heap],
      ["RSS", input.rss],
    ] as const) {
      const slope = trend?.slopePctPerHour;
      if (slope === undefined || !Number.isFinite(slope)) reasons.push(`no ${name} slope (too few samples)`);
      else if (slope >= SLOPE_LIMIT_PCT_PER_HOUR) {
        reasons.push(`${name} grows ${slope.toFixed(2)} %/h (limit < ${SLOPE_LIMIT_PCT_PER_HOUR} %/h)`);
      }
    }
  }
  return { pass: reasons.length === 0, slopesJudged, reasons };
}
