/**
 * Lease port: a named, cluster-wide, exclusive right to do something — run a channel's
 * connector for one platform, compute a channel's summaries — held by at most one holder at
 * a time, and given up automatically when the holder dies.
 *
 * Contract (pinned by test/contracts/lease.contract.ts, run against every adapter):
 * - Exclusive: while a lease is held, `tryAcquire` of its name answers null everywhere in the
 *   cluster, on the holder's own node included.
 * - Kept alive: the adapter renews a held lease in the background (Redis: every third of its
 *   time to live); a holder that dies stops renewing and the lease expires after its time to
 *   live, so another node can take it over.
 * - Lost: when a renewal finds the lease gone or taken, or renewals kept failing for nearly
 *   its time to live (Redis unreachable: the holder gives up before the lease can expire and
 *   pass to another node), `held` turns false and the `onLost` listeners run once. The holder stops the work at once. Never called
 *   after `release`.
 * - Released: `release` gives the lease up at once (idempotent); only its own holder's token
 *   can release or renew it, so a late release never frees someone else's lease.
 * - Embedded: the process is the whole cluster, so a lease is exclusive within the process
 *   and is never lost.
 */
export interface Lease {
  readonly name: string;
  /** True until the lease is released or lost. */
  readonly held: boolean;
  /** Runs `listener` once if the lease is lost; returns a function that removes it. */
  onLost(listener: () => void): () => void;
  release(): Promise<void>;
}

export interface Leases {
  /** Takes the lease if nobody holds it; null when someone does. Never waits for it. */
  tryAcquire(name: string): Promise<Lease | null>;
  /** Releases every lease held through this instance. */
  close(): Promise<void>;
}
