/**
 * Makes the embedded database's commits survive an OS crash or a power cut, not only a process
 * crash. PGlite runs PostgreSQL with `fsync = off` and will not take it back (a setting in
 * postgresql.auto.conf is overridden at start; checked on 0.5): a commit is `pwrite`n into the
 * WAL and lives in the page cache until the kernel writes it back, ~30 s later. DESIGN.md
 * invariant 1 promises more — an ack means durable — so after each event commit the WAL
 * segment it went to is `fdatasync`ed from Node (the same file, so the same dirty pages) and
 * the ack waits for it. Data pages written by checkpoints are still left to the kernel: the
 * WAL that describes them is kept until the next checkpoint (5 min), long after the kernel
 * flushed them (30 s).
 *
 * Synchronous on purpose: ~0.2 ms here, while the asynchronous call (libuv's pool) made each
 * commit wait for a later turn of the event loop — behind a whole fan-out flush under load:
 * measured p50 at 2,000 subscribers × 100 msg/s 44 → 91 ms async.
 */
import { closeSync, fdatasyncSync, openSync } from "node:fs";
import { join } from "node:path";

export class WalSync {
  private segment: { name: string; fd: number } | null = null;
  /** Syncs done (for tests). */
  syncs = 0;

  constructor(private readonly dataDir: string) {}

  /** `segmentName`: the WAL file of the current insert position (`pg_walfile_name(...)`). */
  sync(segmentName: string): void {
    if (this.segment?.name !== segmentName) {
      const previous = this.segment;
      this.segment = { name: segmentName, fd: openSync(join(this.dataDir, "pg_wal", segmentName), "r+") };
      if (previous) {
        // The commit may have started in the segment just left: flush that one too, once.
        fdatasyncSync(previous.fd);
        closeSync(previous.fd);
      }
    }
    fdatasyncSync(this.segment.fd);
    this.syncs++;
  }

  close(): void {
    if (this.segment) closeSync(this.segment.fd);
    this.segment = null;
  }
}
