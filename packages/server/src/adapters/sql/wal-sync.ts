/**
 * Makes the embedded database's commits survive an OS crash or a power cut, not only a process
 * crash. PGlite runs PostgreSQL with `fsync = off` and will not take it back (a setting in
 * postgresql.auto.conf is overridden at start; checked on 0.5): a commit is `pwrite`n into the
 * WAL and lives in the page cache until the kernel writes it back, ~30 s later. DESIGN.md
 * invariant 1 promises more — an ack means durable — so after each event commit the WAL
 * segment it went to is `fdatasync`ed from Node (the same file, so the same dirty pages) and
 * the ack waits for it (the embedded log fans the events out meanwhile). Data pages written by
 * checkpoints are still left to the kernel: the WAL that describes them is kept until the next
 * checkpoint (5 min), long after the kernel flushed them (30 s).
 *
 * Asynchronous (libuv's pool), never on the event loop: a synchronous `fdatasync` was ~0.2 ms
 * when idle but stalled the whole server for up to 2.7 s under a stream of REST writes
 * (measured: ack max 2.7 s at 4,000 msg/s), which no chat server can afford.
 */
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";

export class WalSync {
  private segment: { name: string; handle: FileHandle } | null = null;
  /** Syncs run one after another (a segment switch opens and closes files). */
  private queue: Promise<void> = Promise.resolve();
  /** Syncs done (for tests). */
  syncs = 0;

  constructor(private readonly dataDir: string) {}

  /** `segmentName`: the WAL file of the current insert position (`pg_walfile_name(...)`). */
  sync(segmentName: string): Promise<void> {
    const run = this.queue.then(() => this.syncNow(segmentName));
    this.queue = run.catch(() => undefined);
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
    await this.queue;
    await this.segment?.handle.close().catch(() => undefined);
    this.segment = null;
  }
}
