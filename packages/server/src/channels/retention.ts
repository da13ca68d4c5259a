/**
 * The retention job: every sweep, the node holding the `retention` lease removes, in each
 * channel whose `retention` is a number of days, the messages older than that. (A channel
 * with `end_of_broadcast` loses a broadcast's messages when it ends: channels/broadcasts.ts.)
 * One node sweeps at a time; if it dies, the lease passes and another node's next sweep runs.
 */
import type { Logger } from "pino";
import type { Leases } from "../ports/lease.js";
import type { Store } from "../ports/store.js";

const DAY_MS = 24 * 3600 * 1000;

export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly leases: Leases,
    private readonly logger: Logger,
    private readonly sweepMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.sweepMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One sweep (if this node gets the lease); resolves with how many messages went. */
  sweep(now = Date.now()): Promise<void> {
    this.running ??= this.sweepOnce(now)
      .catch((error: unknown) => this.logger.warn({ err: error }, "retention sweep failed"))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async sweepOnce(now: number): Promise<void> {
    const lease = await this.leases.tryAcquire("retention");
    if (!lease) return;
    try {
      for (const channel of await this.store.channels.list()) {
        const { retention } = channel.settings;
        if (typeof retention !== "number" || !lease.held) continue;
        const removed = await this.store.events.purgeMessages(channel.name, { before: now - retention * DAY_MS });
        if (removed > 0) this.logger.info({ channel: channel.name, removed, retention }, "retention removed messages");
      }
    } finally {
      await lease.release();
    }
  }
}
