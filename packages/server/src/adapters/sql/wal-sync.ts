/**
 * Makes the embedded database's commits survive an OS crash or a power cut, not only a process
 * crash. PGlite runs PostgreSQL with `fsync = off` and will not take it back (a setting in
 * postgresql.auto.conf is overridden at start; checked on 0.5): a commit is `pwrite`n into the
 * WAL and lives in the page cache until the kernel writes it back, ~30 s later. docs/architecture.md
 * invariant 1 promises more — an ack means durable — so after each event commit the WAL
 * segment it went to is `fdatasync`ed from Node (the same file, so the same dirty pages) and
 * the ack waits for it (the embedded log fans the events out meanwhile). Data pages written by
 * checkpoints are still left to the kernel: the WAL that describes them is kept until the next
 * checkpoint (5 min), long after the kernel flushed them (30 s).
 *
 * Commits that arrive while a sync runs share the next one (group fsync). Asynchronous
 * (libuv's pool), never on the event loop: a synchronous `fdatasync` was ~0.2 ms
 * when idle but stalled the whole server for up to 2.7 s under a stream of REST writes
 * (measured: ack max 2.7 s at 4,000 msg/s), which no chat server can afford.
 */
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";

export class WalSync {
  private segment: { name: string; handle: FileHandle } | null = null;
  /** The sync on the disk right now, if any. */
  private running: Promise<void> | null = null;
  /**
   * The one sync that will follow it: every commit that asks while a sync runs shares it
   * (group fsync). One `fdatasync` per commit, queued, made acks wait behind each other.
   */
  private next: { segment: string; promise: Promise<void>; settle: (error?: unknown) => void } | null = null;
  /** Syncs done (for tests). */
  syncs = 0;

  constructor(private readonly dataDir: string) {}

  /** `segmentName`: the WAL file of the current insert position (`pg_walfile_name(...)`). */
  sync(segmentName: string): Promise<void> {
    if (!this.running) return this.start(segmentName);
    if (this.next) {
      // WAL segments only move forward: the newest name covers the earlier commits' too.
      this.next.segment = segmentName;
      return this.next.promise;
    }
    let settle!: (error?: unknown) => void;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.next = { segment: segmentName, promise, settle };
    return promise;
  }

  private start(segmentName: string): Promise<void> {
    const run = this.syncNow(segmentName);
    this.running = run;
    const after = () => {
      this.running = null;
      const next = this.next;
      this.next = null;
      if (next)
        this.start(next.segment).then(
          () => next.settle(),
          (error: unknown) => next.settle(error ?? new Error("sync failed")),
        );
    };
    run.then(after, after);
    return run;
  }

  private async syncNow(segmentName: string): Promise<void> {
    if (this.segment?.name !== segmentName) {
      const previous = this.segment;
      this.segment = { name: segmentName, handle: await open(join(this.dataDir, "pg_wal", segmentName), "r+") };
      if (previous) {
        // The commit may have started in the segment just left: flush that one too, once.
        await previous.handle.datasync();
        await previous.handle.close();
      }
    }
    await this.segment.handle.datasync();
    this.syncs++;
  }

  async close(): Promise<void> {
    while (this.running || this.next) await (this.next?.promise ?? this.running)?.catch(() => undefined);
    await this.segment?.handle.close().catch(() => undefined);
    this.segment = null;
  }
}
