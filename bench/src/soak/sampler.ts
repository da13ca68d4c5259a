/**
 * One reading of the server's memory and event loop, from its Prometheus endpoint
 * (`GET /metrics`, no authentication; prom-client's default process and Node.js metrics plus
 * `chorus_*`): one scrape, or — every `--gc-every` seconds — scrape → forced full GC →
 * scrape again.
 *
 * - The first scrape gives the event-loop delay of the window since the previous reading:
 *   prom-client resets its `monitorEventLoopDelay` histogram on every scrape, so each
 *   scrape reports the loop's delays since the one before. The soak is the only scraper
 *   (it runs the load generator without `/metrics`), so these windows tile the whole run.
 * - The second scrape gives heap used and RSS after the collection (see inspector.ts), and
 *   its event-loop window holds just the forced pause: dropped, so the soak's own GC never
 *   shows up as the server's delay.
 *
 * Without a forced GC (`--gc off`, or no inspector), one scrape gives everything and the
 * heap trend is taken over the minimum of each window (analysis.ts `windowMinima`).
 */
import { metricSum, parsePrometheusText, type Sample } from "../loadgen/metrics.js";
import type { InspectorGc } from "./inspector.js";

export interface ServerMetrics {
  heapUsedBytes: number | null;
  heapTotalBytes: number | null;
  externalBytes: number | null;
  rssBytes: number | null;
  cpuSeconds: number | null;
  /** Event-loop delay p99 and max over the window since the previous scrape; null when it recorded nothing. */
  eventLoopP99Ms: number | null;
  eventLoopMaxMs: number | null;
  connections: number | null;
  messagesAccepted: number | null;
  eventsDelivered: number | null;
  slowConsumerDisconnects: number | null;
}

export interface ServerReading {
  /** `performance.now()` of the first scrape. */
  at: number;
  /** Before the forced collection (or the only scrape). */
  before: ServerMetrics;
  /** After it; undefined when no collection was forced. */
  afterGc: ServerMetrics | undefined;
  /** Round trip of the forced collection, ms. */
  gcMs: number | undefined;
  /** Why the collection could not be forced this time, if it could not. */
  gcError: string | undefined;
}

function value(samples: readonly Sample[], name: string): number | null {
  const v = metricSum(samples, name);
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** The figures the soak uses from one `/metrics` page. */
export function readMetrics(text: string): ServerMetrics {
  const s = parsePrometheusText(text);
  const ms = (name: string) => {
    const v = value(s, name);
    return v === null ? null : v * 1000;
  };
  // An empty histogram (no loop tick since the last reset) reports max 0 and min 2^63 ns.
  const lagMin = value(s, "nodejs_eventloop_lag_min_seconds");
  const lagMax = value(s, "nodejs_eventloop_lag_max_seconds");
  const emptyWindow = lagMin === null || lagMax === null || lagMax <= 0 || lagMin > lagMax;
  return {
    heapUsedBytes: value(s, "nodejs_heap_size_used_bytes"),
    heapTotalBytes: value(s, "nodejs_heap_size_total_bytes"),
    externalBytes: value(s, "nodejs_external_memory_bytes"),
    rssBytes: value(s, "process_resident_memory_bytes"),
    cpuSeconds: value(s, "process_cpu_seconds_total"),
    eventLoopP99Ms: emptyWindow ? null : ms("nodejs_eventloop_lag_p99_seconds"),
    eventLoopMaxMs: emptyWindow ? null : ms("nodejs_eventloop_lag_max_seconds"),
    connections: value(s, "chorus_connections"),
    messagesAccepted: value(s, "chorus_messages_accepted_total"),
    eventsDelivered: value(s, "chorus_events_delivered_total"),
    slowConsumerDisconnects: value(s, "chorus_slow_consumer_disconnects_total"),
  };
}

export class ServerSampler {
  /** Scrapes that failed (no answer, not 200, or not within the timeout). */
  failures = 0;

  constructor(
    private readonly metricsUrl: string,
    private readonly gc: InspectorGc | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  private async scrape(): Promise<ServerMetrics> {
    const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
    return readMetrics(text);
  }

  /** One reading; throws (and counts a failure) when the server does not answer `/metrics`. */
  async read(forceGc: boolean): Promise<ServerReading> {
    const at = performance.now();
    let before: ServerMetrics;
    try {
      before = await this.scrape();
    } catch (err) {
      this.failures++;
      throw err;
    }
    if (!this.gc || !forceGc) return { at, before, afterGc: undefined, gcMs: undefined, gcError: undefined };
    let gcMs: number;
    try {
      gcMs = await this.gc.collect();
    } catch (err) {
      return { at, before, afterGc: undefined, gcMs: undefined, gcError: String(err) };
    }
    try {
      return { at, before, afterGc: await this.scrape(), gcMs, gcError: undefined };
    } catch (err) {
      this.failures++;
      throw err;
    }
  }
}
