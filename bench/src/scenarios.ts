/**
 * The benchmark's scenarios: each is a list of load runs (loadgen `LoadOptions`) against
 * every selected target, plus how to stop early (the stepped ones) and what to compare.
 * Pure data and arithmetic, unit-tested; bench.ts executes them through `runLoad`.
 */
import type { LoadOptions, LoadResult } from "./loadgen/run.js";
import type { TargetName } from "./targets/types.js";

export const SCENARIO_NAMES = [
  "steady",
  "max",
  "channels",
  "idle",
  "ingest-ws",
  "ingest-rest",
  "ingest-batch",
  "slow",
  "storm",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Flags given on the command line override the scenario's own values. */
export interface Overrides {
  subscribers?: number;
  rate?: number;
  durationSec?: number;
  size?: number;
  workers?: number;
  connectRate?: number;
  settleSec?: number;
  drainSec?: number;
  moderated?: boolean;
}

export interface RunSpec {
  /** Column label suffix, e.g. "400 msg/s" or "10% slow". */
  label: string;
  options: LoadOptions;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  defaultTargets: TargetName[];
  /** Server environment for this scenario (Chorus targets). */
  env?: Record<string, string>;
  runs: RunSpec[];
  /** Stepped scenarios: stop a target's steps after the first run that fails this. */
  sustained?: (r: LoadResult) => boolean;
}

const FANOUT_TARGETS: TargetName[] = ["chorus", "socketio", "ws-naive", "ws-ceiling"];
/** Rates of the stepped `max` scenario, msg/s into one channel. */
export const MAX_RATES = [25, 50, 100, 150, 200, 300, 400, 700, 1000, 1500, 2000, 3000, 4000, 6000];
/** Rates of the stepped ingest scenarios, msg/s over all publishers. */
export const INGEST_RATES = [500, 1000, 2000, 4000, 8000, 12000, 16000, 20000, 24000];
const P99_LIMIT_MS = 500;

export function base(workers: number): LoadOptions {
  return {
    subscribers: 2000,
    channels: 1,
    channelPrefix: "load",
    transport: "ws",
    publishers: 1,
    rate: 100,
    durationSec: 10,
    size: 200,
    publishVia: "ws",
    connectRate: 500,
    workers,
    settleSec: 1,
    drainSec: 2,
    slowFraction: 0,
    slowPauseSec: 3,
    stormAtSec: undefined,
    backoff: { baseMs: 100, capMs: 5_000 },
    idle: false,
    connectTimeoutSec: 15,
    moderated: false,
  };
}

function apply(o: LoadOptions, x: Overrides): LoadOptions {
  const out = { ...o };
  if (x.subscribers !== undefined) out.subscribers = x.subscribers;
  if (x.rate !== undefined) out.rate = x.rate;
  if (x.durationSec !== undefined) out.durationSec = x.durationSec;
  if (x.size !== undefined) out.size = x.size;
  if (x.workers !== undefined) out.workers = x.workers;
  if (x.connectRate !== undefined) out.connectRate = x.connectRate;
  if (x.settleSec !== undefined) out.settleSec = x.settleSec;
  if (x.drainSec !== undefined) out.drainSec = x.drainSec;
  if (x.moderated !== undefined) out.moderated = x.moderated;
  out.workers = Math.max(1, Math.min(out.workers, out.subscribers));
  if (out.stormAtSec !== undefined && out.stormAtSec >= out.durationSec) out.stormAtSec = out.durationSec / 3;
  return out;
}

/** A stepped run is sustained when nothing was lost or left behind and p99 stayed under 500 ms. */
export function sustained(r: LoadResult): boolean {
  return (
    r.ok &&
    r.counts.lost === 0 &&
    r.counts.late === 0 &&
    r.counts.duplicates === 0 &&
    r.counts.seqGaps === 0 &&
    (r.publish?.unanswered ?? 0) === 0 &&
    (r.publish?.rejected ?? 0) === 0 &&
    r.latency.p99 <= P99_LIMIT_MS
  );
}

/** Ingest: every message acknowledged in time (the single subscriber only checks delivery). */
export function ingestSustained(r: LoadResult): boolean {
  return (
    r.ok &&
    (r.publish?.unanswered ?? 1) === 0 &&
    (r.publish?.rejected ?? 1) === 0 &&
    (r.publish?.ack.p99 ?? Number.POSITIVE_INFINITY) <= P99_LIMIT_MS
  );
}

export function scenario(name: ScenarioName, workers: number, x: Overrides): Scenario {
  const b = base(workers);
  switch (name) {
    case "steady":
      return {
        name,
        description: "2,000 subscribers, 1 channel, 100 msg/s, 200-char texts, 10 s",
        defaultTargets: FANOUT_TARGETS,
        runs: [{ label: "", options: apply(b, x) }],
      };
    case "max": {
      const o = apply({ ...b, durationSec: 4 }, { ...x, rate: undefined });
      return {
        name,
        description: `stepped rate (${MAX_RATES.join(", ")} msg/s, ${o.durationSec} s each, fresh subscribers per step) until p99 > ${P99_LIMIT_MS} ms or any loss`,
        defaultTargets: FANOUT_TARGETS,
        runs: MAX_RATES.map((rate) => ({ label: `${rate} msg/s`, options: { ...o, rate } })),
        sustained,
      };
    }
    case "channels":
      return {
        name,
        description:
          "10,000 subscribers over 500 channels (20 each), 10 publishers, 500 msg/s in all (1/s per channel)",
        defaultTargets: FANOUT_TARGETS,
        runs: [
          {
            label: "",
            options: apply(
              { ...b, subscribers: 10_000, channels: 500, publishers: 10, rate: 500, connectRate: 1000 },
              x,
            ),
          },
        ],
      };
    case "idle":
      return {
        name,
        description: "20,000 idle WebSocket subscribers: server RSS per connection and connect rate",
        defaultTargets: FANOUT_TARGETS,
        runs: [{ label: "", options: apply({ ...b, subscribers: 20_000, connectRate: 4000, idle: true }, x) }],
      };
    case "ingest-ws":
    case "ingest-rest":
    case "ingest-batch": {
      const rest = name !== "ingest-ws";
      const via = name === "ingest-batch" ? "ingest" : rest ? "rest" : "ws";
      const o = apply(
        {
          ...b,
          subscribers: 1,
          channels: 10,
          publishers: rest ? 10 : 100,
          publishVia: via,
          durationSec: 4,
          workers: 1,
        },
        { ...x, rate: undefined },
      );
      return {
        name,
        description: `${o.publishers} ${via === "ingest" ? "ingest (REST batches of up to 100)" : rest ? "REST" : "WebSocket"} publishers over ${o.channels} channels, stepped rate (${INGEST_RATES.join(", ")} msg/s), durable acks/s`,
        defaultTargets: ["chorus"],
        runs: INGEST_RATES.map((rate) => ({ label: `${rate} msg/s`, options: { ...o, rate } })),
        sustained: ingestSustained,
      };
    }
    case "slow": {
      const o = apply(b, x);
      return {
        name,
        description:
          "steady without, then with 10% slow readers (paused 3 s, reading 1 s, resuming by seq when told to reconnect)",
        defaultTargets: ["chorus"],
        runs: [
          { label: "no slow", options: o },
          { label: "10% slow", options: { ...o, slowFraction: 0.1 } },
        ],
      };
    }
    case "storm":
      return {
        name,
        description:
          "2,000 subscribers, 100 msg/s; at 3 s every subscriber drops and reconnects (backoff 100 ms–5 s, full jitter)",
        defaultTargets: ["chorus"],
        runs: [{ label: "", options: apply({ ...b, stormAtSec: 3 }, x) }],
      };
  }
}

/** The best sustained run of a stepped series (highest deliveries/s, or acks/s for ingest). */
export function bestSustained(
  results: readonly LoadResult[],
  ok: (r: LoadResult) => boolean,
  figure: (r: LoadResult) => number,
): LoadResult | undefined {
  let best: LoadResult | undefined;
  for (const r of results) {
    if (!ok(r)) continue;
    if (best === undefined || figure(r) > figure(best)) best = r;
  }
  return best;
}
