/**
 * What a connector has read, on its way to the sink: one call at a time and in order (so a
 * deletion never overtakes the message it deletes), messages queued back to back merged into
 * one call of up to a batch, and a bound on what may wait — beyond it new messages are dropped
 * (and logged), since a sink that slow must not eat the server's memory. A sink call that fails
 * is logged and the next one goes on.
 */
import { INGEST_BATCH_MAX, type IngestItem } from "@chorus/protocol";
import type { ConnectorSink } from "./connector.js";

export type SinkTask =
  | { kind: "messages"; items: IngestItem[] }
  | { kind: "deleted"; externalId: string }
  | { kind: "cleared"; target: { login: string; durationSec?: number } | null };

export interface SinkQueueEvents {
  /** A sink call failed (logged by the connector); the queue goes on. */
  failed(task: SinkTask["kind"], error: unknown): void;
  /** Messages were dropped because `maxQueued` were already waiting; `total` since the queue last emptied. */
  dropped(count: number, total: number): void;
}

export class SinkQueue {
  private readonly queue: SinkTask[] = [];
  private queued = 0;
  private droppedSinceEmpty = 0;
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly sink: ConnectorSink,
    private readonly maxQueued: number,
    private readonly events: SinkQueueEvents,
  ) {}

  /** Queues tasks in order; returns how many messages were taken (after any drop). */
  push(tasks: readonly SinkTask[]): number {
    if (this.closed) return 0;
    let taken = 0;
    for (const task of tasks) {
      if (task.kind === "messages") {
        const room = Math.max(0, this.maxQueued - this.queued);
        const items = task.items.length > room ? task.items.slice(0, room) : task.items;
        if (items.length < task.items.length) {
          this.droppedSinceEmpty += task.items.length - items.length;
          this.events.dropped(task.items.length - items.length, this.droppedSinceEmpty);
        }
        if (items.length === 0) continue;
        this.queued += items.length;
        taken += items.length;
        this.queue.push({ kind: "messages", items });
      } else {
        this.queue.push(task);
      }
    }
    if (this.draining === null && this.queue.length > 0) this.draining = this.drain();
    return taken;
  }

  /** Drops what waits and resolves once the call in flight (if any) is done. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.queued = 0;
    await this.draining;
  }

  /** The next call: messages queued back to back go together, up to a batch. */
  private next(): SinkTask | undefined {
    const head = this.queue.shift();
    if (head?.kind !== "messages") return head;
    const items = [...head.items];
    while (items.length < INGEST_BATCH_MAX) {
      const following = this.queue[0];
      if (following?.kind !== "messages") break;
      const room = INGEST_BATCH_MAX - items.length;
      if (following.items.length <= room) {
        items.push(...following.items);
        this.queue.shift();
      } else {
        items.push(...following.items.slice(0, room));
        this.queue[0] = { kind: "messages", items: following.items.slice(room) };
      }
    }
    if (items.length > INGEST_BATCH_MAX)
      this.queue.unshift({ kind: "messages", items: items.splice(INGEST_BATCH_MAX) });
    this.queued -= items.length;
    return { kind: "messages", items };
  }

  private async drain(): Promise<void> {
    for (let task = this.next(); task !== undefined && !this.closed; task = this.next()) {
      try {
        if (task.kind === "messages") await this.sink.messages(task.items);
        else if (task.kind === "deleted") await this.sink.deleted(task.externalId);
        else await this.sink.cleared(task.target);
      } catch (error) {
        this.events.failed(task.kind, error);
      }
    }
    if (this.queue.length === 0) this.droppedSinceEmpty = 0;
    this.draining = null;
  }
}
