/**
 * `runLoad`: one load against one target, the single code path behind both the
 * `chorus-loadgen` CLI and every `npm run bench` scenario.
 *
 * Process layout, so that no measurement shares an event loop with what it measures:
 *
 *   this process: plan, publishers (open loop), /metrics probe, progress line
 *     └─ subscriber workers × W (subscriber-worker.ts), each with a contiguous slice
 *
 * Phases: create the channels if missing → read the server's RSS → fork the workers and
 * ramp the connects at `connectRate` → (idle: settle, read RSS again, done) → connect the
 * publishers → settle → publish open-loop for `durationSec` (optionally dropping every
 * subscriber at `stormAtSec`) → drain → collect from the workers and merge.
 */
import { availableParallelism } from "node:os";
import { WorkerPool } from "../pool.js";
import { sleep } from "../processes.js";
import { OpenLoopPublisher, type PublishReport } from "../publisher.js";
import { LatencyHistogram, type LatencySummary, summarizeHistogram } from "../stats.js";
import type { ChannelPublisher, ClientSpec, Publisher } from "../targets/types.js";
import { addCounts, type DeliveryCounts, emptyCounts } from "../tracker.js";
import { createIngestKeys, ensureChannels, moderateChannels } from "./account.js";
import { ingestBatchPublisher } from "./ingest-publisher.js";
import { cpuPercent, openFilesLimit, ServerProbe, type ServerReading } from "./metrics.js";
import { type BackoffPlan, channelNames, isSlow, type TransportMix } from "./plan.js";
import { connectWsPublisher, restPublisher, singleChannelPublisher } from "./publishers.js";

/** `ingest`: batches of up to 100 through the ingest endpoint, with an ingest key per channel. */
export type PublishVia = "ws" | "rest" | "ingest";

export interface LoadOptions {
  subscribers: number;
  channels: number;
  channelPrefix: string;
  transport: TransportMix;
  publishers: number;
  /** Messages per second over all publishers (open loop). */
  rate: number;
  durationSec: number;
  /** Message text size, characters. */
  size: number;
  publishVia: PublishVia;
  /** New subscriber connections per second over all workers. */
  connectRate: number;
  workers: number;
  settleSec: number;
  drainSec: number;
  /** Fraction of subscribers that read slowly (paused `slowPauseSec`, then reading 1 s, repeat). */
  slowFraction: number;
  slowPauseSec: number;
  /** Seconds into publishing at which every subscriber drops its connection; undefined = no storm. */
  stormAtSec: number | undefined;
  backoff: BackoffPlan;
  /** Connect and publish nothing: memory per connection and connect rate. */
  idle: boolean;
  /** One subscriber's own limit for connecting and subscribing, seconds. */
  connectTimeoutSec: number;
  /**
   * Moderation on the load channels (10 blocked terms, AutoMod 4, capitals and repeat filters,
   * links for VIPs) and a publisher that is filtered: `BENCH_BOT` (listed in the server's
   * BOT_USERS, so exempt from the per-user rate limit but from nothing else).
   */
  moderated: boolean;
}

/** What `runLoad` needs to know about the server(s). */
export interface LoadTarget {
  label: string;
  /** How subscribers reach it (`urls`: every node, round robin). */
  client: ClientSpec;
  /** HTTP base of every node: REST, `/metrics`, `/healthz`. Empty for targets without them. */
  httpUrls: readonly string[];
  /** Token exempt from chat rate limits (Chorus). */
  token?: string;
  /** Local server processes: CPU and RSS from /proc when there is no `/metrics`, fd limit check. */
  pids?: readonly number[];
  connectChannelPublisher?(): Promise<ChannelPublisher>;
  /** A publisher for `client`'s channel only; used when nothing better exists. */
  connectPublisher?(): Promise<Publisher>;
}

export interface Progress {
  elapsedSec: number;
  phase: "connecting" | "settling" | "publishing" | "storm" | "draining" | "idle";
  requested: number;
  connected: number;
  failed: number;
  deliveriesPerSec: number;
  p99: number;
  lost: number;
  reconnects: number;
  acked: number;
  serverCpuPct: number;
  serverRssBytes: number | undefined;
}

export interface GroupSummary {
  subscribers: number;
  latency: LatencySummary;
  counts: DeliveryCounts;
  reconnects: number;
}

export interface LoadResult {
  label: string;
  ok: boolean;
  error?: string;
  channels: number;
  subscribers: {
    requested: number;
    subscribed: number;
    failed: number;
    failures: Record<string, number>;
    connectSec: number;
    /** Subscriptions confirmed per second of the connect phase. */
    connectsPerSec: number;
    slow: number;
  };
  publish?: Omit<PublishReport, "acknowledged" | "finalSeq">;
  /** First deliveries of bench messages (every subscriber). */
  deliveries: number;
  /** acked × subscribers of that message's channel. */
  expectedDeliveries: number;
  deliveriesPerSec: number;
  framesPerSec: number;
  bytesPerSec: number;
  /** End-to-end latency of the subscribers that are not slow readers (the figure that matters). */
  latency: LatencySummary;
  /** Loss, duplicates and seq checks over every subscriber. */
  counts: DeliveryCounts;
  /** The slow readers on their own (only when `slowFraction` > 0). */
  slow?: GroupSummary;
  /** Successful resubscriptions after a lost connection, every subscriber. */
  reconnects: number;
  /** Resumes the server answered with `recovered:false`. */
  notRecovered: number;
  problems: Record<string, number>;
  strays: number;
  negativeLatencies: number;
  storm?: {
    atSec: number;
    dropped: number;
    /** From the drop until every subscriber was subscribed again, s. */
    allBackSec: number;
    /** …and had seen the last seq acknowledged before the drop, s. */
    caughtUpSec: number;
    /** `GET /healthz` every 250 ms from the drop until caught up. */
    healthz: { probes: number; failures: number; maxMs: number };
    /** Seq gaps over every subscriber at the end (0 = every resume was complete). */
    gaps: number;
    error?: string;
  };
  idle?: {
    rssBeforeBytes: number | undefined;
    rssAfterBytes: number | undefined;
    rssPerConnectionBytes: number;
  };
  server: {
    /** Where CPU and RSS came from. */
    source: "metrics" | "proc" | "none";
    /** Server CPU over the measurement window, % of one core (summed over nodes). */
    cpuPct: number;
    rssBytes: number | undefined;
    rssPeakBytes: number | undefined;
  };
  generator: { windowSec: number; workersCpuPct: number; parentCpuPct: number };
  notes: string[];
}

const COLLECT_TIMEOUT_MS = 30_000;
const STORM_TIMEOUT_MS = 120_000;
const HEALTHZ_EVERY_MS = 250;
/** File descriptors a worker needs besides its subscribers (IPC, stdio, tsx, DNS…). */
const FD_HEADROOM = 64;

export class LoadError extends Error {}

/** Chooses `/metrics` when the first node answers it with process metrics, else /proc of the pids. */
async function makeProbe(target: LoadTarget): Promise<ServerProbe> {
  if (target.httpUrls.length > 0) {
    const probe = new ServerProbe(target.httpUrls.map((u) => `${u}/metrics`));
    const reading = await probe.read();
    if (reading.rssBytes !== undefined) return probe;
  }
  return new ServerProbe([], target.pids ?? []);
}

async function openPublishers(
  o: LoadOptions,
  target: LoadTarget,
  channels: string[],
  token = target.token,
  ingestKeys?: ReadonlyMap<string, string>,
): Promise<ChannelPublisher[]> {
  const wsUrls = target.client.kind === "chorus" ? (target.client.urls ?? [target.client.url]) : [];
  const open = (i: number): Promise<ChannelPublisher> => {
    if (o.publishVia === "ingest") {
      const url = target.httpUrls[i % Math.max(1, target.httpUrls.length)];
      if (!ingestKeys || url === undefined) throw new LoadError(`${target.label}: ingest needs a Chorus URL and keys`);
      return Promise.resolve(ingestBatchPublisher(url, ingestKeys));
    }
    if (token !== undefined && o.publishVia === "rest" && target.httpUrls.length > 0) {
      return Promise.resolve(restPublisher(target.httpUrls[i % target.httpUrls.length] as string, token));
    }
    if (o.publishVia === "rest")
      throw new LoadError(`${target.label}: publishing over REST needs a Chorus URL and a token`);
    if (token !== undefined && wsUrls.length > 0) {
      // Publishers go to the first node: every message then crosses the cluster bus to reach the others.
      return connectWsPublisher(wsUrls[0] as string, token);
    }
    if (target.connectChannelPublisher) return target.connectChannelPublisher();
    if (target.connectPublisher) {
      const only = target.client.kind === "chorus" ? target.client.channel : target.client.room;
      if (channels.length !== 1 || channels[0] !== only) {
        throw new LoadError(`${target.label} can only publish to its channel "${only}"`);
      }
      return target.connectPublisher().then((p) => singleChannelPublisher(p, only));
    }
    throw new LoadError(`${target.label}: no way to publish (give --token or --username/--password)`);
  };
  const out: ChannelPublisher[] = [];
  try {
    for (let i = 0; i < o.publishers; i++) out.push(await open(i));
  } catch (err) {
    for (const p of out) p.close();
    throw err;
  }
  return out;
}

function checkFdLimits(o: LoadOptions, target: LoadTarget, notes: string[]): void {
  const own = openFilesLimit("self");
  const perWorker = Math.ceil(o.subscribers / o.workers);
  if (own !== undefined && perWorker + FD_HEADROOM > own) {
    throw new LoadError(
      `each worker would hold ${perWorker} sockets but the open-files limit is ${own} (ulimit -n): ` +
        `raise it (ulimit -n ${perWorker + 1024}) or use more --workers (each worker is a process with its own limit)`,
    );
  }
  for (const pid of target.pids ?? []) {
    const limit = openFilesLimit(pid);
    if (limit !== undefined && o.subscribers / (target.pids?.length ?? 1) + FD_HEADROOM > limit) {
      notes.push(
        `the server process ${pid} may open only ${limit} files (ulimit -n) for ~${Math.ceil(
          o.subscribers / (target.pids?.length ?? 1),
        )} connections: expect failed connects (EMFILE) beyond that`,
      );
    }
  }
}

function emptyResult(o: LoadOptions, label: string): LoadResult {
  return {
    label,
    ok: false,
    channels: o.channels,
    subscribers: {
      requested: o.subscribers,
      subscribed: 0,
      failed: 0,
      failures: {},
      connectSec: Number.NaN,
      connectsPerSec: Number.NaN,
      slow: 0,
    },
    deliveries: 0,
    expectedDeliveries: 0,
    deliveriesPerSec: Number.NaN,
    framesPerSec: Number.NaN,
    bytesPerSec: Number.NaN,
    latency: summarizeHistogram(new LatencyHistogram()),
    counts: emptyCounts(),
    reconnects: 0,
    notRecovered: 0,
    problems: {},
    strays: 0,
    negativeLatencies: 0,
    server: { source: "none", cpuPct: Number.NaN, rssBytes: undefined, rssPeakBytes: undefined },
    generator: { windowSec: Number.NaN, workersCpuPct: Number.NaN, parentCpuPct: Number.NaN },
    notes: [],
  };
}

/** Polls `GET /healthz` until stopped; the worst answer time and how many failed. */
function healthzProbe(url: string | undefined): {
  stop(): Promise<{ probes: number; failures: number; maxMs: number }>;
} {
  let running = url !== undefined;
  const stats = { probes: 0, failures: 0, maxMs: 0 };
  const loop = (async () => {
    while (running && url !== undefined) {
      const t0 = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (!res.ok) stats.failures++;
      } catch {
        stats.failures++;
      }
      const ms = performance.now() - t0;
      stats.probes++;
      stats.maxMs = Math.max(stats.maxMs, ms);
      await sleep(Math.max(0, HEALTHZ_EVERY_MS - ms));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return stats;
    },
  };
}

/**
 * Runs one load. Never throws for a failure of the target: the result says `ok: false` with
 * the error; throws `LoadError` only for a plan that cannot work (say, the fd limit).
 */
export async function runLoad(
  o: LoadOptions,
  target: LoadTarget,
  onProgress: (p: Progress) => void = () => undefined,
): Promise<LoadResult> {
  const result = emptyResult(o, target.label);
  const channels = channelNames(o.channelPrefix, o.channels);
  const chorusWire = target.client.kind === "chorus";
  if (!chorusWire && (o.transport !== "ws" || o.slowFraction > 0 || o.stormAtSec !== undefined)) {
    throw new LoadError(`${target.label}: SSE, slow readers and storms need a Chorus-protocol target`);
  }
  checkFdLimits(o, target, result.notes);
  const t0 = performance.now();
  let phase: Progress["phase"] = "connecting";
  let pool: WorkerPool | undefined;
  let publishers: ChannelPublisher[] = [];
  let open: OpenLoopPublisher | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    if (target.token !== undefined && target.httpUrls[0] !== undefined) {
      const created = await ensureChannels(target.httpUrls[0], target.token, channels);
      if (created > 0) result.notes.push(`created ${created} channel(s) "${channels[0]}"…`);
    }
    let publisherToken = target.token;
    let ingestKeys: Map<string, string> | undefined;
    if (o.publishVia === "ingest") {
      const base = target.httpUrls[0];
      if (target.token === undefined || base === undefined) throw new LoadError("ingest needs a Chorus target");
      ingestKeys = await createIngestKeys(base, target.token, channels);
    }
    if (o.moderated) {
      const base = target.httpUrls[0];
      if (target.token === undefined || base === undefined) throw new LoadError("--moderated needs a Chorus target");
      publisherToken = await moderateChannels(base, target.token, channels);
      result.notes.push(
        `moderated: ${channels.length} channel(s) with 10 blocked terms and AutoMod 4; publishing as a bot`,
      );
    }
    const probe = await makeProbe(target);
    result.server.source = probe.source;
    const rssBefore = (await probe.read()).rssBytes;

    // Live progress: once a second, from the workers' last reports and one /metrics read.
    let lastReading: ServerReading | undefined;
    let lastDeliveries = 0;
    let lastTick = performance.now();
    let reading = false;
    let rssPeak: number | undefined;
    const workers = Math.max(1, Math.min(o.workers, o.subscribers));
    pool = WorkerPool.start(workers);
    const activePool = pool;
    ticker = setInterval(() => {
      if (reading) return;
      reading = true;
      void probe.read().then((r) => {
        reading = false;
        const now = performance.now();
        const p = activePool.progress();
        const h = new LatencyHistogram();
        for (const s of p.histograms) h.merge(s);
        if (r.rssBytes !== undefined) rssPeak = Math.max(rssPeak ?? 0, r.rssBytes);
        onProgress({
          elapsedSec: (now - t0) / 1000,
          phase,
          requested: o.subscribers,
          connected: p.connected,
          failed: p.failed,
          deliveriesPerSec: ((p.deliveries - lastDeliveries) * 1000) / (now - lastTick),
          p99: h.percentile(99),
          lost: p.seqGaps,
          reconnects: p.reconnects,
          acked: open?.ackedSoFar ?? 0,
          serverCpuPct: lastReading ? cpuPercent(lastReading, r) : Number.NaN,
          serverRssBytes: r.rssBytes,
        });
        lastReading = r;
        lastDeliveries = p.deliveries;
        lastTick = now;
      });
    }, 1_000);

    const ready = await pool.connect(
      {
        spec: target.client,
        channels,
        connectsPerSec: o.connectRate,
        connectTimeoutMs: o.connectTimeoutSec * 1000,
        transport: o.transport,
        slowFraction: o.slowFraction,
        slow: { pauseMs: o.slowPauseSec * 1000, readMs: 1_000 },
        backoff: o.backoff,
      },
      o.subscribers,
      Math.ceil((2 * o.subscribers * 1000) / o.connectRate) + o.connectTimeoutSec * 1000 + 30_000,
    );
    const { connectSec, ...readyCounts } = ready;
    let slow = 0;
    for (let i = 0; i < o.subscribers; i++) if (isSlow(i, o.slowFraction)) slow++;
    result.subscribers = {
      requested: o.subscribers,
      ...readyCounts,
      connectSec,
      connectsPerSec: ready.subscribed / connectSec,
      slow,
    };
    const emfile = Object.entries(ready.failures).find(([reason]) => /EMFILE|ENFILE/.test(reason));
    if (emfile) {
      result.notes.push(
        `${emfile[1]} connects failed with "${emfile[0]}": a process ran out of file descriptors — raise ` +
          "`ulimit -n` for the load generator (or use more --workers) and for the server",
      );
    }
    if (ready.subscribed === 0) throw new Error("no subscriber could subscribe");

    if (o.idle) {
      phase = "idle";
      // Let the server finish allocating per-connection state (and V8 settle) before reading.
      await sleep(Math.max(o.settleSec, 2) * 1000);
      const after = (await probe.read()).rssBytes;
      result.idle = {
        rssBeforeBytes: rssBefore,
        rssAfterBytes: after,
        rssPerConnectionBytes:
          rssBefore !== undefined && after !== undefined ? (after - rssBefore) / ready.subscribed : Number.NaN,
      };
      result.server.rssBytes = after;
      result.server.rssPeakBytes = rssPeak;
      result.ok = true;
      return result;
    }

    phase = "settling";
    publishers = await openPublishers(o, target, channels, publisherToken, ingestKeys);
    await sleep(o.settleSec * 1000);

    const total = Math.max(1, Math.round(o.rate * o.durationSec));
    const server0 = await probe.read();
    const self0 = process.cpuUsage();
    const window0 = performance.now();
    pool.measure();
    open = new OpenLoopPublisher(publishers, { rate: o.rate, total, size: o.size, channels });
    phase = "publishing";
    let stormDone: Promise<void> | undefined;
    let stormTimer: NodeJS.Timeout | undefined;
    if (o.stormAtSec !== undefined) {
      const at = o.stormAtSec;
      const activeOpen = open;
      stormDone = new Promise<void>((resolveStorm) => {
        stormTimer = setTimeout(() => {
          phase = "storm";
          const dropAt = performance.timeOrigin + performance.now();
          const healthz = healthzProbe(target.httpUrls[0] ? `${target.httpUrls[0]}/healthz` : undefined);
          const storm: NonNullable<LoadResult["storm"]> = {
            atSec: at,
            dropped: ready.subscribed,
            allBackSec: Number.NaN,
            caughtUpSec: Number.NaN,
            healthz: { probes: 0, failures: 0, maxMs: Number.NaN },
            gaps: 0,
          };
          result.storm = storm;
          activePool
            .storm(activeOpen.acknowledgedSeqs(), STORM_TIMEOUT_MS)
            .then((done) => {
              storm.allBackSec = (Math.max(...done.map((d) => d.backAtMs)) - dropAt) / 1000;
              storm.caughtUpSec = (Math.max(...done.map((d) => d.caughtUpAtMs)) - dropAt) / 1000;
            })
            .catch((err: unknown) => {
              storm.error = err instanceof Error ? err.message : String(err);
            })
            .finally(() => {
              void healthz.stop().then((h) => {
                storm.healthz = h;
                if (phase === "storm") phase = "publishing";
                resolveStorm();
              });
            });
        }, at * 1000);
      });
    }
    await open.run();
    phase = "draining";
    if (stormDone && result.storm === undefined) {
      // Publishing ended before the storm was due: it will not happen.
      clearTimeout(stormTimer);
      result.notes.push(`--storm-at ${o.stormAtSec} s is after the end of publishing: no storm`);
    } else if (stormDone) {
      await stormDone;
    }
    await sleep(o.drainSec * 1000);

    const publish = open.report();
    const server1 = await probe.read();
    const self = process.cpuUsage(self0);
    const windowSec = (performance.now() - window0) / 1000;
    const replies = await pool.collect(publish.acknowledged, publish.finalSeq, COLLECT_TIMEOUT_MS);

    const fast = new LatencyHistogram();
    const slowHistogram = new LatencyHistogram();
    const fastCounts = emptyCounts();
    const slowCounts = emptyCounts();
    let slowSubscribers = 0;
    let slowReconnects = 0;
    let lastReceiveMs = 0;
    let frames = 0;
    let bytes = 0;
    let workerCpu = 0;
    for (const w of replies) {
      fast.merge(w.fast.histogram);
      slowHistogram.merge(w.slow.histogram);
      addCounts(fastCounts, w.fast.counts);
      addCounts(slowCounts, w.slow.counts);
      slowSubscribers += w.slow.subscribers;
      slowReconnects += w.slow.reconnects;
      result.reconnects += w.fast.reconnects + w.slow.reconnects;
      result.notRecovered += w.notRecovered;
      for (const [kind, n] of Object.entries(w.problems)) result.problems[kind] = (result.problems[kind] ?? 0) + n;
      lastReceiveMs = Math.max(lastReceiveMs, w.lastReceiveMs);
      frames += w.frames;
      bytes += w.bytes;
      result.strays += w.strays;
      workerCpu += w.cpuSeconds;
    }
    const { acknowledged: _a, finalSeq: _f, ...publishSummary } = publish;
    result.publish = publishSummary;
    result.deliveries = fast.count + slowHistogram.count;
    const spanSec = (lastReceiveMs - publish.firstSendMs) / 1000;
    result.deliveriesPerSec = spanSec > 0 ? result.deliveries / spanSec : Number.NaN;
    result.framesPerSec = frames / windowSec;
    result.bytesPerSec = bytes / windowSec;
    result.latency = summarizeHistogram(fast);
    result.negativeLatencies = fast.negatives + slowHistogram.negatives;
    result.counts = addCounts(addCounts(emptyCounts(), fastCounts), slowCounts);
    // Every subscribed subscriber should get every acked message of its channel exactly once.
    result.expectedDeliveries = result.counts.delivered + result.counts.lost + result.counts.late;
    if (o.slowFraction > 0) {
      result.slow = {
        subscribers: slowSubscribers,
        latency: summarizeHistogram(slowHistogram),
        counts: slowCounts,
        reconnects: slowReconnects,
      };
    }
    if (result.storm) result.storm.gaps = result.counts.seqGaps;
    result.server.cpuPct = cpuPercent(server0, server1);
    result.server.rssBytes = server1.rssBytes;
    result.server.rssPeakBytes = rssPeak;
    result.generator = {
      windowSec,
      workersCpuPct: (workerCpu / windowSec) * 100,
      parentCpuPct: ((self.user + self.system) / 1e6 / windowSec) * 100,
    };
    const perWorker = result.generator.workersCpuPct / workers;
    if (perWorker > 75) {
      result.notes.push(
        `subscriber workers averaged ${perWorker.toFixed(0)}% of a core each: the generator may be the bottleneck ` +
          `(${availableParallelism()} CPUs here; try more --workers or another machine)`,
      );
    }
    result.ok = true;
  } catch (err) {
    if (err instanceof LoadError) throw err;
    result.ok = false;
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    clearInterval(ticker);
    open?.abort();
    for (const p of publishers) p.close();
    await pool?.stop();
  }
  return result;
}
