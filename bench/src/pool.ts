/**
 * The parent's side of the subscriber workers: forks them, splits the subscribers between
 * them (each worker gets a contiguous range of global indexes, so channel, transport, node
 * and slowness are assigned exactly as if one process held them all), and turns their IPC
 * messages into promises. A worker that dies or reports `fatal` fails whatever the parent is
 * waiting for, instead of leaving it hanging.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { isWorkerMessage, type ParentMessage, type WorkerMessage, type WorkerPlan } from "./ipc.js";
import { split } from "./loadgen/plan.js";
import { forkTs, ROOT, sendIpc, stopChild, waitForExit } from "./processes.js";

type MessageOf<T extends WorkerMessage["type"]> = Extract<WorkerMessage, { type: T }>;

interface Waiter {
  type: WorkerMessage["type"];
  resolve: (message: WorkerMessage) => void;
  reject: (err: Error) => void;
}

class WorkerHandle {
  private waiters: Waiter[] = [];
  private dead: Error | undefined;
  latestProgress: MessageOf<"progress"> | undefined;

  constructor(
    readonly index: number,
    readonly child: ChildProcess,
  ) {
    child.on("message", (raw: unknown) => {
      if (!isWorkerMessage(raw)) return;
      if (raw.type === "progress") this.latestProgress = raw;
      if (raw.type === "fatal") {
        this.fail(new Error(`worker ${index}: ${raw.message}`));
        return;
      }
      const waiting = this.waiters.filter((w) => w.type === raw.type);
      this.waiters = this.waiters.filter((w) => w.type !== raw.type);
      for (const w of waiting) w.resolve(raw);
    });
    child.once("exit", (code, signal) =>
      this.fail(new Error(`worker ${index} exited (code ${code}, signal ${signal})`)),
    );
  }

  private fail(err: Error): void {
    this.dead ??= err;
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
  }

  send(message: ParentMessage): void {
    sendIpc(this.child, message);
  }

  next<T extends WorkerMessage["type"]>(type: T, timeoutMs: number): Promise<MessageOf<T>> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`worker ${this.index}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as MessageOf<T>);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

export interface ReadyInfo {
  subscribed: number;
  failed: number;
  failures: Record<string, number>;
  /** From the first connect attempt of any worker to the last subscription settled. */
  connectSec: number;
}

/** The workers' latest progress, summed. */
export type PoolProgress = Omit<MessageOf<"progress">, "type" | "histogram"> & {
  histograms: MessageOf<"progress">["histogram"][];
};

export class WorkerPool {
  private constructor(private readonly handles: WorkerHandle[]) {}

  static start(count: number): WorkerPool {
    const entry = join(ROOT, "bench/src/subscriber-worker.ts");
    return new WorkerPool(Array.from({ length: count }, (_, i) => new WorkerHandle(i, forkTs(entry))));
  }

  get size(): number {
    return this.handles.length;
  }

  /**
   * Starts the connect ramp everywhere (`plan` without the per-worker range) and resolves
   * when every worker has settled every first connect.
   */
  async connect(plan: Omit<WorkerPlan, "firstIndex" | "count">, subscribers: number, timeoutMs: number) {
    const counts = split(subscribers, this.handles.length);
    const ready = this.handles.map((h) => h.next("ready", timeoutMs));
    let firstIndex = 0;
    this.handles.forEach((h, i) => {
      const count = counts[i] ?? 0;
      h.send({
        type: "start",
        plan: { ...plan, firstIndex, count, connectsPerSec: (plan.connectsPerSec * count) / subscribers },
      });
      firstIndex += count;
    });
    const all = await Promise.all(ready);
    const info: ReadyInfo = {
      subscribed: 0,
      failed: 0,
      failures: {},
      // Worker start-up (loading tsx) is not part of the server's connect rate.
      connectSec: (Math.max(...all.map((r) => r.rampEndMs)) - Math.min(...all.map((r) => r.rampStartMs))) / 1000,
    };
    for (const r of all) {
      info.subscribed += r.subscribed;
      info.failed += r.failed;
      for (const [reason, n] of Object.entries(r.failures)) info.failures[reason] = (info.failures[reason] ?? 0) + n;
    }
    return info;
  }

  progress(): PoolProgress {
    const sum: PoolProgress = {
      attempted: 0,
      subscribed: 0,
      failed: 0,
      connected: 0,
      deliveries: 0,
      frames: 0,
      bytes: 0,
      reconnects: 0,
      seqGaps: 0,
      histograms: [],
    };
    for (const h of this.handles) {
      const p = h.latestProgress;
      if (!p) continue;
      sum.attempted += p.attempted;
      sum.subscribed += p.subscribed;
      sum.failed += p.failed;
      sum.connected += p.connected;
      sum.deliveries += p.deliveries;
      sum.frames += p.frames;
      sum.bytes += p.bytes;
      sum.reconnects += p.reconnects;
      sum.seqGaps += p.seqGaps;
      sum.histograms.push(p.histogram);
    }
    return sum;
  }

  measure(): void {
    for (const h of this.handles) h.send({ type: "measure" });
  }

  /** Drops every connection; resolves when every worker's subscribers are back and caught up. */
  storm(catchUpTo: Record<string, number>, timeoutMs: number): Promise<MessageOf<"storm_done">[]> {
    const done = this.handles.map((h) => h.next("storm_done", timeoutMs));
    for (const h of this.handles) h.send({ type: "storm", catchUpTo });
    return Promise.all(done);
  }

  collect(
    acknowledged: Record<string, boolean[]>,
    finalSeq: Record<string, number | null>,
    timeoutMs: number,
  ): Promise<MessageOf<"result">[]> {
    const results = this.handles.map((h) => h.next("result", timeoutMs));
    for (const h of this.handles) h.send({ type: "collect", acknowledged, finalSeq });
    return Promise.all(results);
  }

  /** Asks every worker to close its sockets and exit; kills the ones that do not. */
  async stop(): Promise<void> {
    for (const h of this.handles) h.send({ type: "stop" });
    await Promise.all(this.handles.map((h) => waitForExit(h.child, 1_500).then(() => stopChild(h.child, 2_000))));
  }
}
