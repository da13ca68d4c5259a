/**
 * The server's own figures, read from its Prometheus endpoint (`GET /metrics`): CPU seconds
 * and resident memory from prom-client's default process metrics, plus Chorus's connection
 * gauge. Several nodes are read in parallel and summed. Targets without `/metrics` (the
 * peers of the benchmark) fall back to /proc of their local process ids.
 */
import { readFileSync } from "node:fs";
import { processCpuSeconds } from "../processes.js";

/** One sample line: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// `name{label="value",...} value [timestamp]` (Prometheus text format 0.0.4). Label values
// may contain escaped quotes, commas and braces, hence the explicit label-pair pattern.
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:\s*[a-zA-Z_][a-zA-Z0-9_]*\s*=\s*"(?:[^"\\]|\\.)*"\s*,?)*)\s*\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(raw: string): number {
  if (raw === "+Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

/**
 * Parses the sample lines of a Prometheus text exposition (comments and blank lines are
 * skipped, malformed lines ignored). Only what the load generator needs — no metadata, no
 * OpenMetrics extensions — which is why it is these few lines rather than a dependency.
 */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1] as string] = unescapeLabel(l[2] ?? "");
    const value = parseValue(m[3] ?? "");
    if (!Number.isNaN(value)) out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** Sum of every sample of `name` (over all label sets); undefined when there is none. */
export function metricSum(samples: readonly Sample[], name: string): number | undefined {
  let found = false;
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    found = true;
    total += s.value;
  }
  return found ? total : undefined;
}

export interface ServerReading {
  /** CPU seconds used so far, summed over nodes. */
  cpuSeconds: number | undefined;
  /** Resident memory, bytes, summed over nodes. */
  rssBytes: number | undefined;
  /** `chorus_connections` summed over nodes and transports, when the server exports it. */
  connections: number | undefined;
  /** Nodes that did not answer. */
  unreachable: number;
  /** `performance.now()` of the reading. */
  at: number;
}

function sumDefined(values: ReadonlyArray<number | undefined>): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return values.reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** Resident memory of a local process from /proc (Linux); undefined elsewhere. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The "Max open files" soft limit of a local process (Linux); undefined elsewhere. */
export function openFilesLimit(pid: number | "self" = "self"): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
    if (!m) return undefined;
    return m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    return undefined;
  }
}

export class ServerProbe {
  /**
   * @param metricsUrls `/metrics` of every node (may be empty)
   * @param pids local server processes, used when there is no `/metrics` to read
   */
  constructor(
    private readonly metricsUrls: readonly string[],
    private readonly pids: readonly number[] = [],
  ) {}

  get source(): "metrics" | "proc" | "none" {
    if (this.metricsUrls.length > 0) return "metrics";
    return this.pids.length > 0 ? "proc" : "none";
  }

  async read(timeoutMs = 2_000): Promise<ServerReading> {
    const at = performance.now();
    if (this.metricsUrls.length === 0) {
      return {
        cpuSeconds: sumDefined(this.pids.map(processCpuSeconds)),
        rssBytes: sumDefined(this.pids.map(processRssBytes)),
        connections: undefined,
        unreachable: 0,
        at,
      };
    }
    const pages = await Promise.all(
      this.metricsUrls.map(async (url) => {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          const text = await res.text();
          return res.ok ? parsePrometheusText(text) : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const read = pages.filter((p): p is Sample[] => p !== undefined);
    const unreachable = pages.length - read.length;
    const ok = unreachable === 0;
    return {
      cpuSeconds: ok ? sumDefined(read.map((s) => metricSum(s, "process_cpu_seconds_total"))) : undefined,
      rssBytes: ok ? sumDefined(read.map((s) => metricSum(s, "process_resident_memory_bytes"))) : undefined,
      connections: ok ? sumDefined(read.map((s) => metricSum(s, "chorus_connections"))) : undefined,
      unreachable,
      at,
    };
  }
}

/** Server CPU between two readings, % of one core. */
export function cpuPercent(a: ServerReading, b: ServerReading): number {
  if (a.cpuSeconds === undefined || b.cpuSeconds === undefined || b.at <= a.at) return Number.NaN;
  return ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100;
}
