/**
 * Messages between the load generator's parent process and its subscriber workers
 * (child_process IPC, "advanced" serialisation).
 *
 * parent → worker: `start` (connect a slice of the subscribers at a given rate), `measure`
 * (publishing begins: start the CPU clock), `storm` (drop every connection now and report
 * when all are back and caught up), `collect` (publishing and drain are over: compare with
 * what was acknowledged), `stop`.
 * worker → parent: `progress` once a second, `ready` once every first connect has settled,
 * `storm_done`, `result` in answer to `collect`, `fatal` if the worker cannot go on.
 */
import type { BackoffPlan, TransportMix } from "./loadgen/plan.js";
import type { SerializedHistogram } from "./stats.js";
import type { ClientSpec } from "./targets/types.js";
import type { DeliveryCounts } from "./tracker.js";

export interface WorkerPlan {
  spec: ClientSpec;
  /** Every channel of the run; subscriber i listens to `channels[i mod K]`. */
  channels: string[];
  /** Global index of this worker's first subscriber (channel, transport, node and slowness follow it). */
  firstIndex: number;
  count: number;
  connectsPerSec: number;
  connectTimeoutMs: number;
  transport: TransportMix;
  slowFraction: number;
  slow: { pauseMs: number; readMs: number };
  backoff: BackoffPlan;
}

/** Figures a worker reports for one group of subscribers (the slow ones, or the others). */
export interface GroupResult {
  subscribers: number;
  counts: DeliveryCounts;
  histogram: SerializedHistogram;
  reconnects: number;
}

export type ParentMessage =
  | { type: "start"; plan: WorkerPlan }
  | { type: "measure" }
  | { type: "storm"; catchUpTo: Record<string, number> }
  | { type: "collect"; acknowledged: Record<string, boolean[]>; finalSeq: Record<string, number | null> }
  | { type: "stop" };

export interface WorkerProgress {
  type: "progress";
  attempted: number;
  subscribed: number;
  failed: number;
  /** Subscribers whose connection is up and subscribed right now. */
  connected: number;
  /** First deliveries of bench messages so far. */
  deliveries: number;
  frames: number;
  bytes: number;
  reconnects: number;
  /** Seqs skipped so far (every subscriber, every resume). */
  seqGaps: number;
  /** Latencies of the non-slow subscribers so far. */
  histogram: SerializedHistogram;
}

export type WorkerMessage =
  | WorkerProgress
  | {
      type: "ready";
      subscribed: number;
      failed: number;
      failures: Record<string, number>;
      /** Epoch ms of the first connect attempt and of the last first-connect settling. */
      rampStartMs: number;
      rampEndMs: number;
    }
  | { type: "storm_done"; backAtMs: number; caughtUpAtMs: number }
  | {
      type: "result";
      fast: GroupResult;
      slow: GroupResult;
      /** Epoch ms of the first and last bench message received (0 when none). */
      firstReceiveMs: number;
      lastReceiveMs: number;
      frames: number;
      bytes: number;
      /** Resumes answered `recovered:false`. */
      notRecovered: number;
      /** Unexpected frames, error/reconnect frames, closes: kind → count. */
      problems: Record<string, number>;
      /** Messages whose text was not a bench message. */
      strays: number;
      /** CPU seconds the worker used since `measure`. */
      cpuSeconds: number;
    }
  | { type: "fatal"; message: string };

function hasType(value: unknown, types: readonly string[]): boolean {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as Record<string, unknown>)["type"];
  return typeof type === "string" && types.includes(type);
}

export function isParentMessage(value: unknown): value is ParentMessage {
  return hasType(value, ["start", "measure", "storm", "collect", "stop"]);
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return hasType(value, ["progress", "ready", "storm_done", "result", "fatal"]);
}
