/**
 * Leases in one process: the process is the whole cluster, so a lease is always granted when
 * free and never lost — but still exclusive, so two holders of one name in this process
 * behave as two nodes would on Redis.
 */
import type { Lease, Leases } from "../../ports/lease.js";

class EmbeddedLeaseHandle implements Lease {
  private active = true;

  constructor(
    readonly name: string,
    private readonly free: (lease: EmbeddedLeaseHandle) => void,
  ) {}

  get held(): boolean {
    return this.active;
  }

  onLost(): () => void {
    // Nothing can take it away: the listener would never run.
    return () => undefined;
  }

  async release(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.free(this);
  }
}

export class EmbeddedLeases implements Leases {
  private readonly holders = new Map<string, EmbeddedLeaseHandle>();

  async tryAcquire(name: string): Promise<Lease | null> {
    if (this.holders.has(name)) return null;
    const lease = new EmbeddedLeaseHandle(name, (l) => {
      if (this.holders.get(name) === l) this.holders.delete(name);
    });
    this.holders.set(name, lease);
    return lease;
  }

  async close(): Promise<void> {
    for (const lease of [...this.holders.values()]) await lease.release();
  }
}
