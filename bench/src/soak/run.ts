/**
 * `runSoak`: the steady load for a long time, with connection churn, watching the server's
 * memory and event loop.
 *
 *   this process: the soak (sampler, churn timer, re-authenticating publisher) and the load
 *                 generator's parent (`runLoad`: plan, open-loop publisher)
 *     ├─ the Chorus server (targets/chorus.ts, embedded mode, started with --expose-gc and
 *     │  an inspector port on loopback so the sampler can force a full GC: inspector.ts)
 *     ├─ steady subscriber workers × W (the bench's own, via `runLoad`, never dropped)
 *     └─ one churn worker (the same subscriber-worker.ts) whose group is dropped and resumes
 *        every `churnEverySec` (churn.ts)
 *
 * The steady scenario's subscribers are split: the churn group is `churnPctPerMin` % of them
 * per minute, in cycles of `churnEverySec` (2,000 × 10 %/min × 15 s / 60 s = 50 subscribers
 * dropped every 15 s), and the steady group is the rest, so the server holds the scenario's
 * number of subscriptions. The load generator gets no `/metrics` URL (it reads CPU and RSS
 * from /proc instead): every scrape resets the server's event-loop histogram, and the soak
 * must be the only scraper for its windows to cover the whole run (sampler.ts).
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ensureChannels } from "../loadgen/account.js";
import { channelNames } from "../loadgen/plan.js";
import { type LoadResult, type LoadTarget, type Progress, runLoad } from "../loadgen/run.js";
import { freePort, machineBusySeconds } from "../processes.js";
import { scenario } from "../scenarios.js";
import { type LatencySummary, summarizeSamples as summarizeLatencies } from "../stats.js";
import { chorusTarget } from "../targets/chorus.js";
import type { RunningTarget } from "../targets/types.js";
import {
  cpuPressureTotalUs,
  type ErrorTally,
  loadErrors,
  logLevelOf,
  newTailLines,
  type Point,
  type Trend,
  tally,
  trendOf,
  type Verdict,
  verdictOf,
  warmupSecFor,
  windowMinima,
} from "./analysis.js";
import {
  type ChurnResult,
  churnErrors,
  PublisherReauth,
  type ReauthFigures,
  reauthErrors,
  SubscriberChurn,
} from "./churn.js";
import { InspectorGc, inspectorNodeOptions } from "./inspector.js";
import { type ServerReading, ServerSampler } from "./sampler.js";

export interface SoakOptions {
  /** Publishing time, minutes. */
  minutes: number;
  /** Subscribers in all, churning ones included. */
  subscribers: number;
  /** Messages per second into the load channel. */
  rate: number;
  /** Steady subscriber worker processes (default: CPUs, at most 8). */
  workers: number | undefined;
  /** Subscribers dropped and resumed per minute, % of `subscribers`. */
  churnPctPerMin: number;
  churnEverySec: number;
  sampleEverySec: number;
  /** Publishing seconds left out of the trends; default `warmupSecFor`. */
  warmupSec: number | undefined;
  /**
   * Every this many seconds a reading forces a full GC first and reads the heap after it (see
   * inspector.ts); null: never, and the heap trend is the minimum per window instead.
   */
  gcEverySec: number | null;
}

export type SoakPhase = "starting" | Progress["phase"] | "done";

export interface SoakSample {
  /** Seconds since the server was ready. */
  atSec: number;
  phase: SoakPhase;
  heapUsedBytes: number | null;
  /** Heap used right after the forced full GC (null when none was forced). */
  heapAfterGcBytes: number | null;
  heapTotalBytes: number | null;
  externalBytes: number | null;
  /** After the forced GC when there was one. */
  rssBytes: number | null;
  /** Event-loop delay over the window since the previous sample, forced GC excluded. */
  eventLoopP99Ms: number | null;
  eventLoopMaxMs: number | null;
  gcMs: number | null;
  /** Server CPU since the previous sample, % of one core. */
  cpuPct: number | null;
  /** Every process on the machine since the previous sample, % of all its CPUs (Linux). */
  machineCpuPct: number | null;
  /**
   * Share of the time since the previous sample during which some task waited for a CPU
   * (Linux PSI, /proc/pressure/cpu): the server and the load generator need most of two cores,
   * so high values mean they were starved, by each other or by other work on the machine.
   */
  cpuPressurePct: number | null;
  connections: number | null;
  messagesAccepted: number | null;
  eventsDelivered: number | null;
  slowConsumerDisconnects: number | null;
  load: { connected: number; reconnects: number; seqGaps: number; acked: number; p99Ms: number } | null;
  churn: { cycles: number; connected: number; reconnects: number; seqGaps: number; reauths: number } | null;
  /** Errors seen by then (live counters; the final tally is authoritative). */
  errorsSoFar: number;
}

export interface SoakReport {
  soak: "chorus";
  date: string;
  node: string;
  nproc: number;
  options: SoakOptions & { warmupSec: number };
  plan: {
    steadySubscribers: number;
    churnSubscribers: number;
    channels: string[];
    rate: number;
    size: number;
    publishSec: number;
    workers: number;
  };
  /** Seconds since the server was ready. */
  publishing: { startSec: number | null; endSec: number | null };
  heapMethod: string;
  /** Trends over the samples after the warm-up, while publishing. */
  heap: Trend | null;
  rss: Trend | null;
  eventLoop: {
    /** Windows after the warm-up. */
    windows: number;
    p99MaxMs: number | null;
    p99MedianMs: number | null;
    maxMs: number | null;
    /** The same over every publishing window, warm-up included. */
    p99MaxAllMs: number | null;
  };
  forcedGc: { count: number; meanMs: number; maxMs: number; method: string } | null;
  /** Over the publishing samples (warm-up included): was the machine short of CPU? */
  machine: { cpuMeanPct: number | null; cpuPressureMeanPct: number | null; cpuPressureMaxPct: number | null };
  messages: {
    sent: number;
    acked: number;
    deliveries: number;
    expectedDeliveries: number;
    reauthPublished: number;
    /** `chorus_messages_accepted_total` at the last sample. */
    serverAccepted: number | null;
  };
  latency: LatencySummary;
  churn: (Omit<ChurnResult, "counts"> & { seqGaps: number }) | null;
  reauth: ReauthFigures | null;
  errors: ErrorTally;
  serverLog: { warnings: number; errors: number; lastLines: string[] };
  verdict: Verdict;
  load: LoadResult | null;
  samples: SoakSample[];
  notes: string[];
}

export interface SoakHooks {
  log?(message: string): void;
  onSample?(sample: SoakSample, samples: readonly SoakSample[]): void;
}

const CHURN_CHANNEL = "soak_churn";
const REAUTH_USER = "soak_publisher";
const CHURN_CYCLE_TIMEOUT_MS = 60_000;
/** Server output lines kept for the report. */
const LOG_LINES_KEPT = 20;

/** The steady group and the churn group of `subscribers`. */
export function splitSubscribers(o: Pick<SoakOptions, "subscribers" | "churnPctPerMin" | "churnEverySec">): {
  steady: number;
  churn: number;
} {
  if (o.churnPctPerMin <= 0) return { steady: o.subscribers, churn: 0 };
  const wanted = Math.max(1, Math.round((o.subscribers * o.churnPctPerMin * o.churnEverySec) / 100 / 60));
  const churn = Math.min(wanted, o.subscribers - 1);
  return { steady: o.subscribers - churn, churn };
}

/** Sleeps until `performance.now()` reaches `at`, or `signal` aborts. */
function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, at - performance.now()));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function withoutCounts({ counts, ...rest }: ChurnResult): NonNullable<SoakReport["churn"]> {
  return { ...rest, seqGaps: counts.seqGaps };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function meanOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, v) => a + v, 0) / values.length;
}

/** Cumulative CPU-pressure stall of the machine, µs (undefined off Linux or without PSI). */
function cpuPressureUs(): number | undefined {
  try {
    return cpuPressureTotalUs(readFileSync("/proc/pressure/cpu", "utf8"));
  } catch {
    return undefined;
  }
}

/** Heap and RSS trends, event-loop figures over the analysed samples: pure, for the report and tests. */
export function summarizeSamples(
  samples: readonly SoakSample[],
  window: { fromSec: number; toSec: number },
  minimaWindowSec: number,
): Pick<SoakReport, "heap" | "rss" | "eventLoop" | "machine"> & { heapMethod: "forced" | "window-min" } {
  const publishing = samples.filter((s) => s.phase === "publishing" && s.atSec <= window.toSec);
  const analysed = publishing.filter((s) => s.atSec >= window.fromSec);
  const points = (pick: (s: SoakSample) => number | null): Point[] =>
    analysed.flatMap((s) => {
      const value = pick(s);
      return value === null ? [] : [{ atSec: s.atSec, value }];
    });
  const afterGc = points((s) => s.heapAfterGcBytes);
  // Forced collections normally succeed every time; fall back only if there are too few for a trend.
  const forced = afterGc.length >= 3;
  const heapPoints = forced
    ? afterGc
    : windowMinima(
        points((s) => s.heapUsedBytes),
        minimaWindowSec,
      );
  const p99s = points((s) => s.eventLoopP99Ms).map((p) => p.value);
  const maxima = points((s) => s.eventLoopMaxMs).map((p) => p.value);
  const all = (pick: (s: SoakSample) => number | null): number[] =>
    publishing.flatMap((s) => {
      const value = pick(s);
      return value === null ? [] : [value];
    });
  const pressure = all((s) => s.cpuPressurePct);
  return {
    heapMethod: forced ? "forced" : "window-min",
    heap: trendOf(heapPoints) ?? null,
    rss: trendOf(points((s) => s.rssBytes)) ?? null,
    eventLoop: {
      windows: p99s.length,
      p99MaxMs: maxOf(p99s),
      p99MedianMs: median(p99s),
      maxMs: maxOf(maxima),
      p99MaxAllMs: maxOf(all((s) => s.eventLoopP99Ms)),
    },
    machine: {
      cpuMeanPct: meanOf(all((s) => s.machineCpuPct)),
      cpuPressureMeanPct: meanOf(pressure),
      cpuPressureMaxPct: maxOf(pressure),
    },
  };
}

export async function runSoak(o: SoakOptions, hooks: SoakHooks = {}): Promise<SoakReport> {
  const log = hooks.log ?? (() => undefined);
  const cpus = Math.min(8, Math.max(1, availableParallelism()));
  const groups = splitSubscribers(o);
  const publishSec = o.minutes * 60;
  const warmupSec = o.warmupSec ?? warmupSecFor(publishSec);
  const steadyScenario = scenario("steady", cpus, {
    subscribers: groups.steady,
    rate: o.rate,
    durationSec: publishSec,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  });
  const loadOptions = steadyScenario.runs[0]?.options;
  if (!loadOptions) throw new Error("the steady scenario has no run");
  const channels = channelNames(loadOptions.channelPrefix, loadOptions.channels);
  const notes: string[] = [];
  const samples: SoakSample[] = [];

  const abort = new AbortController();
  const inspectPort = o.gcEverySec !== null ? await freePort() : undefined;
  const nodeOptions = [process.env["NODE_OPTIONS"], inspectPort !== undefined ? inspectorNodeOptions(inspectPort) : ""]
    .filter((s) => s !== undefined && s !== "")
    .join(" ");
  log(`starting the server${inspectPort !== undefined ? ` (inspector on port ${inspectPort} for forced GCs)` : ""}`);
  const target: RunningTarget = await chorusTarget.start(abort.signal, {
    env: nodeOptions === "" ? {} : { NODE_OPTIONS: nodeOptions },
  });
  const t0 = performance.now();
  const sinceStart = (at = performance.now()) => (at - t0) / 1000;

  let gc: InspectorGc | undefined;
  let churn: SubscriberChurn | undefined;
  let reauth: PublisherReauth | undefined;
  let phase: SoakPhase = "starting";
  let lastProgress: Progress | undefined;
  let publishStartSec: number | null = null;
  let publishEndSec: number | null = null;
  const stopSampling = new AbortController();
  const stopChurn = new AbortController();
  let churnLoop: Promise<void> = Promise.resolve();
  let samplingLoop: Promise<void> = Promise.resolve();
  let load: LoadResult | null = null;
  let churnResult: ChurnResult | null = null;
  const serverLog = { warnings: 0, errors: 0, lastLines: [] as string[] };
  let previousTail: string[] = [];
  const forcedGcMs: number[] = [];
  let sampler: ServerSampler | undefined;

  const readServerLog = () => {
    const tail = target.logTail();
    for (const line of newTailLines(previousTail, tail)) {
      const level = logLevelOf(line);
      if (level === undefined || level < 40) continue;
      if (level >= 50) serverLog.errors++;
      else serverLog.warnings++;
      serverLog.lastLines.push(line);
      if (serverLog.lastLines.length > LOG_LINES_KEPT) serverLog.lastLines.shift();
    }
    previousTail = tail;
  };

  try {
    if (inspectPort !== undefined) {
      try {
        gc = await InspectorGc.connect(inspectPort);
      } catch (err) {
        notes.push(`could not attach to the server's inspector (${String(err)}): heap taken as the minimum per window`);
      }
    }
    const base = target.httpUrls?.[0];
    const token = target.token;
    if (base === undefined || token === undefined || target.client.kind !== "chorus") {
      throw new Error("the Chorus target gave no HTTP base or token");
    }
    await ensureChannels(base, token, [...channels, CHURN_CHANNEL]);
    reauth = await PublisherReauth.create(base, target.client.url, CHURN_CHANNEL, REAUTH_USER);
    if (groups.churn > 0) {
      log(`connecting the churn group (${groups.churn} subscribers)`);
      churn = await SubscriberChurn.start({
        client: target.client,
        channels,
        subscribers: groups.churn,
        connectTimeoutSec: loadOptions.connectTimeoutSec,
        backoff: loadOptions.backoff,
      });
    }
    readServerLog();

    const activeSampler = new ServerSampler(`${base}/metrics`, gc);
    sampler = activeSampler;
    let previous: ServerReading | undefined;
    let previousMachine: { at: number; busySec: number | undefined; stallUs: number | undefined } | undefined;
    const liveErrors = () =>
      (lastProgress?.lost ?? 0) +
      (lastProgress?.failed ?? 0) +
      (churn?.snapshot.seqGaps ?? 0) +
      (churn?.snapshot.failedCycles ?? 0) +
      Object.values(reauth?.figures.failures ?? {}).reduce((a, n) => a + n, 0) +
      activeSampler.failures +
      serverLog.errors;
    let lastGcAt: number | undefined;
    const takeSample = async (last = false) => {
      // Due when a GC interval has (nearly) passed — half a sample early rather than one late —
      // and for the last reading, the end state.
      const gcDue =
        o.gcEverySec !== null &&
        (last ||
          lastGcAt === undefined ||
          performance.now() - lastGcAt >= (o.gcEverySec - o.sampleEverySec / 2) * 1000);
      let reading: ServerReading;
      try {
        reading = await activeSampler.read(gcDue);
        if (gcDue) lastGcAt = reading.at;
      } catch (err) {
        log(`sample failed: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      readServerLog();
      if (reading.gcError) notes.push(`forced GC failed at ${sinceStart(reading.at).toFixed(0)} s: ${reading.gcError}`);
      if (reading.gcMs !== undefined) forcedGcMs.push(reading.gcMs);
      const { before, afterGc } = reading;
      const cpuPct =
        previous !== undefined &&
        previous.before.cpuSeconds !== null &&
        before.cpuSeconds !== null &&
        reading.at > previous.at
          ? ((before.cpuSeconds - previous.before.cpuSeconds) / ((reading.at - previous.at) / 1000)) * 100
          : null;
      previous = reading;
      const machine = { at: performance.now(), busySec: machineBusySeconds(), stallUs: cpuPressureUs() };
      const windowSec = previousMachine ? (machine.at - previousMachine.at) / 1000 : 0;
      const delta = (now: number | undefined, then: number | undefined) =>
        now !== undefined && then !== undefined && windowSec > 0 ? now - then : undefined;
      const busy = delta(machine.busySec, previousMachine?.busySec);
      const stall = delta(machine.stallUs, previousMachine?.stallUs);
      previousMachine = machine;
      const c = churn?.snapshot;
      const sample: SoakSample = {
        atSec: sinceStart(reading.at),
        phase,
        heapUsedBytes: before.heapUsedBytes,
        heapAfterGcBytes: afterGc?.heapUsedBytes ?? null,
        heapTotalBytes: (afterGc ?? before).heapTotalBytes,
        externalBytes: (afterGc ?? before).externalBytes,
        rssBytes: (afterGc ?? before).rssBytes,
        eventLoopP99Ms: before.eventLoopP99Ms,
        eventLoopMaxMs: before.eventLoopMaxMs,
        gcMs: reading.gcMs ?? null,
        cpuPct,
        machineCpuPct: busy === undefined ? null : (busy / windowSec / availableParallelism()) * 100,
        cpuPressurePct: stall === undefined ? null : (stall / 1e6 / windowSec) * 100,
        connections: before.connections,
        messagesAccepted: (afterGc ?? before).messagesAccepted,
        eventsDelivered: (afterGc ?? before).eventsDelivered,
        slowConsumerDisconnects: before.slowConsumerDisconnects,
        load: lastProgress
          ? {
              connected: lastProgress.connected,
              reconnects: lastProgress.reconnects,
              seqGaps: lastProgress.lost,
              acked: lastProgress.acked,
              p99Ms: lastProgress.p99,
            }
          : null,
        churn: c
          ? {
              cycles: c.cycles,
              connected: c.connected,
              reconnects: c.reconnects,
              seqGaps: c.seqGaps,
              reauths: reauth?.figures.cycles ?? 0,
            }
          : null,
        errorsSoFar: liveErrors(),
      };
      samples.push(sample);
      hooks.onSample?.(sample, samples);
    };
    samplingLoop = (async () => {
      let next = performance.now();
      while (!stopSampling.signal.aborted) {
        await takeSample();
        next += o.sampleEverySec * 1000;
        // A reading slower than the interval (a stalled server) shifts the schedule instead of bunching up.
        if (next < performance.now()) next = performance.now();
        await sleepUntil(next, stopSampling.signal);
      }
    })();

    const startChurn = () => {
      const active = churn;
      const publisher = reauth;
      churnLoop = (async () => {
        let next = performance.now() + o.churnEverySec * 1000;
        while (!stopChurn.signal.aborted) {
          await sleepUntil(next, stopChurn.signal);
          if (stopChurn.signal.aborted) break;
          await Promise.all([active?.cycle(CHURN_CYCLE_TIMEOUT_MS), publisher?.cycle()]);
          next += o.churnEverySec * 1000;
          if (next < performance.now()) next = performance.now();
        }
      })();
    };

    const loadTarget: LoadTarget = {
      label: `${chorusTarget.label}, soak`,
      client: target.client,
      // No /metrics for the load generator: see the header.
      httpUrls: [],
      token,
      pids: target.pids ?? [target.pid],
    };
    log(
      `steady load: ${groups.steady} subscribers, ${loadOptions.rate} msg/s for ${o.minutes} min; ` +
        `churn: ${groups.churn} subscribers every ${o.churnEverySec} s`,
    );
    load = await runLoad(loadOptions, loadTarget, (p) => {
      lastProgress = p;
      phase = p.phase;
      if (p.phase === "publishing" && publishStartSec === null) {
        publishStartSec = sinceStart();
        if (groups.churn > 0) startChurn();
      }
      if (p.phase === "draining" && publishEndSec === null) {
        publishEndSec = sinceStart();
        stopChurn.abort();
      }
    });
    phase = "done";
    publishEndSec ??= sinceStart();
    stopChurn.abort();
    await churnLoop;
    if (churn) churnResult = await churn.finish();
    churn = undefined;
    // One last reading with everything settled: the server's message counter against the load's.
    stopSampling.abort();
    await samplingLoop;
    await takeSample(true);
  } finally {
    stopChurn.abort();
    stopSampling.abort();
    await churnLoop.catch(() => undefined);
    await samplingLoop.catch(() => undefined);
    if (churn) await churn.finish().catch(() => undefined);
    readServerLog();
    gc?.close();
    abort.abort();
    await target.stop();
  }

  const minimaWindowSec = Math.max(60, 4 * o.sampleEverySec);
  const summary = summarizeSamples(
    samples,
    {
      fromSec: (publishStartSec ?? Number.POSITIVE_INFINITY) + warmupSec,
      toSec: publishEndSec ?? Number.POSITIVE_INFINITY,
    },
    minimaWindowSec,
  );
  const errorCounts: Record<string, number> = {
    ...(load ? loadErrors(load) : { "load: did not run": 1 }),
    ...(churnResult ? churnErrors(churnResult) : {}),
    ...(reauth ? reauthErrors(reauth.figures) : {}),
    // A scrape that timed out may still have reset the event-loop histogram: that window is lost too.
    "server: /metrics scrapes failed or timed out": sampler?.failures ?? 0,
    "server: no /metrics reading at all": samples.length === 0 ? 1 : 0,
    "server: error lines logged": serverLog.errors,
  };
  const errors = tally(errorCounts);
  const lastAccepted = [...samples].reverse().find((s) => s.messagesAccepted !== null)?.messagesAccepted ?? null;
  const heapMethod =
    summary.heapMethod === "forced"
      ? `heap used right after a forced full GC (${gc?.method ?? "gc()"} through the inspector)`
      : forcedGcMs.length > 0
        ? `lowest heap used of each ${minimaWindowSec} s window (fewer than 3 forced-GC readings after the warm-up)`
        : `lowest heap used of each ${minimaWindowSec} s window (no forced GC)`;
  return {
    soak: "chorus",
    date: new Date().toISOString(),
    node: process.version,
    nproc: availableParallelism(),
    options: { ...o, warmupSec },
    plan: {
      steadySubscribers: groups.steady,
      churnSubscribers: groups.churn,
      channels,
      rate: loadOptions.rate,
      size: loadOptions.size,
      publishSec,
      workers: loadOptions.workers,
    },
    publishing: { startSec: publishStartSec, endSec: publishEndSec },
    heapMethod,
    heap: summary.heap,
    rss: summary.rss,
    eventLoop: summary.eventLoop,
    machine: summary.machine,
    forcedGc:
      forcedGcMs.length > 0
        ? {
            count: forcedGcMs.length,
            meanMs: forcedGcMs.reduce((a, v) => a + v, 0) / forcedGcMs.length,
            maxMs: Math.max(...forcedGcMs),
            method: gc?.method ?? "gc()",
          }
        : null,
    messages: {
      sent: load?.publish?.sent ?? 0,
      acked: load?.publish?.acked ?? 0,
      deliveries: load?.deliveries ?? 0,
      expectedDeliveries: load?.expectedDeliveries ?? 0,
      reauthPublished: reauth?.figures.published ?? 0,
      serverAccepted: lastAccepted,
    },
    latency: load?.latency ?? summarizeLatencies([]),
    churn: churnResult ? withoutCounts(churnResult) : null,
    reauth: reauth?.figures ?? null,
    errors,
    serverLog,
    verdict: verdictOf({
      minutes: o.minutes,
      heap: summary.heap ?? undefined,
      rss: summary.rss ?? undefined,
      errors: errors.total,
    }),
    load,
    samples,
    notes: [...notes, ...(load?.notes ?? [])],
  };
}
