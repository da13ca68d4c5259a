/**
 * The parent's side of the subscriber workers: forks them, splits the subscribers between
 * them, and turns their IPC messages into promises. A worker that dies or reports `fatal`
 * fails whatever the parent is waiting for, instead of leaving it hanging.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { isWorkerMessage, type ParentMessage, type WorkerMessage } from "./ipc.js";
import { forkTs, ROOT, sendIpc, stopChild, waitForExit } from "./processes.js";
import type { ClientSpec } from "./targets/types.js";

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

/** `total` split into `parts` near-equal integers. */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

export interface ConnectPlan {
  spec: ClientSpec;
  subscribers: number;
  connectRate: number;
  connectTimeoutMs: number;
  expectedMessages: number;
}

export interface ReadyInfo {
  subscribed: number;
  failed: number;
  failures: Record<string, number>;
}

export class WorkerPool {
  private constructor(private readonly handles: WorkerHandle[]) {}

  static start(count: number): WorkerPool {
    const entry = join(ROOT, "bench/src/subscriber-worker.ts");
    return new WorkerPool(Array.from({ length: count }, (_, i) => new WorkerHandle(i, forkTs(entry))));
  }

  /** Starts the connect ramp everywhere and resolves when every worker is ready. */
  async connect(plan: ConnectPlan, timeoutMs: number, onProgress: (subscribed: number, failed: number) => void) {
    const counts = split(plan.subscribers, this.handles.length);
    const ready = this.handles.map((h) => h.next("ready", timeoutMs));
    this.handles.forEach((h, i) => {
      const count = counts[i] ?? 0;
      h.send({
        type: "start",
        spec: plan.spec,
        count,
        connectsPerSec: (plan.connectRate * count) / plan.subscribers,
        connectTimeoutMs: plan.connectTimeoutMs,
        expectedMessages: plan.expectedMessages,
      });
    });
    const ticker = setInterval(() => {
      let subscribed = 0;
      let failed = 0;
      for (const h of this.handles) {
        subscribed += h.latestProgress?.subscribed ?? 0;
        failed += h.latestProgress?.failed ?? 0;
      }
      onProgress(subscribed, failed);
    }, 2_000);
    try {
      const all = await Promise.all(ready);
      const info: ReadyInfo = { subscribed: 0, failed: 0, failures: {} };
      for (const r of all) {
        info.subscribed += r.subscribed;
        info.failed += r.failed;
        for (const [reason, n] of Object.entries(r.failures)) info.failures[reason] = (info.failures[reason] ?? 0) + n;
      }
      return info;
    } finally {
      clearInterval(ticker);
    }
  }

  measure(): void {
    for (const h of this.handles) h.send({ type: "measure" });
  }

  collect(acknowledged: boolean[], finalSeq: number | null, timeoutMs: number): Promise<MessageOf<"result">[]> {
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
