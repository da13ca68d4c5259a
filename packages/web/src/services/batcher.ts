/**
 * Collects items and hands them over in batches, throttled: a lone message is handed over at
 * once, but a flood of 1,000 messages per second becomes a handful of React commits per
 * second instead of a thousand (each commit lays out the list once, however many rows it adds).
 *
 * The hand-over runs in a task of its own (a timer), not in an animation frame: React renders
 * and commits there, and the browser lays out and paints in the next frame's task, so neither
 * task has to hold both halves of the work (a long task blocks input and scrolling).
 */
export interface BatcherOptions {
  /** Least time between two hand-overs while items trickle in. @default 50 */
  quietMs?: number;
  /** Least time between two hand-overs after a big one (a flood). @default 150 */
  busyMs?: number;
  /** A hand-over of more items than this makes the next wait `busyMs`. @default 20 */
  busyItems?: number;
}

export class Batcher<T> {
  private items: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextAt = 0;
  private readonly quietMs: number;
  private readonly busyMs: number;
  private readonly busyItems: number;

  constructor(
    private readonly flush: (items: T[]) => void,
    options: BatcherOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 50;
    this.busyMs = options.busyMs ?? 150;
    this.busyItems = options.busyItems ?? 20;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushNow(), Math.max(0, this.nextAt - performance.now()));
    }
  }

  /** Hands over what is queued now (e.g. the first page, which should not wait). */
  flushNow(): void {
    this.cancel();
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.nextAt = performance.now() + (items.length > this.busyItems ? this.busyMs : this.quietMs);
    this.flush(items);
  }

  /** Drops what is queued and the pending hand-over. */
  dispose(): void {
    this.cancel();
    this.items = [];
  }

  private cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
