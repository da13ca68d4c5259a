/**
 * Messages between the orchestrator and its subscriber workers (child_process IPC).
 *
 * parent → worker: `start` (connect `count` subscribers at `connectsPerSec`), `measure`
 * (publishing begins: start the CPU clock), `collect` (publishing and drain are over: compare
 * with what was acknowledged), `stop`.
 * worker → parent: `progress` while connecting, `ready` once every attempt has settled,
 * `result` in answer to `collect`, `fatal` if the worker cannot go on.
 */
import type { SerializedHistogram } from "./stats.js";
import type { ClientSpec } from "./targets/types.js";
import type { DeliveryCounts } from "./tracker.js";

export type ParentMessage =
  | {
      type: "start";
      spec: ClientSpec;
      count: number;
      connectsPerSec: number;
      connectTimeoutMs: number;
      expectedMessages: number;
    }
  | { type: "measure" }
  | { type: "collect"; acknowledged: boolean[]; finalSeq: number | null }
  | { type: "stop" };

export type WorkerMessage =
  | { type: "progress"; attempted: number; subscribed: number; failed: number }
  | { type: "ready"; subscribed: number; failed: number; failures: Record<string, number> }
  | {
      type: "result";
      counts: DeliveryCounts;
      histogram: SerializedHistogram;
      /** Epoch ms of the first and last bench message received (0 when none). */
      firstReceiveMs: number;
      lastReceiveMs: number;
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
  return hasType(value, ["start", "measure", "collect", "stop"]);
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return hasType(value, ["progress", "ready", "result", "fatal"]);
}
