/**
 * Connection slots port: how many realtime connections (WebSocket and SSE) one client address
 * holds, counted over every node, so a per-IP limit holds however a load balancer spreads them.
 *
 * Contract (test/contracts/connection-slots.contract.ts): `acquire` succeeds while fewer than
 * `max` slots of the key are held anywhere, and each success is undone by one `release`. The
 * slots of a node that died without releasing stop counting once it has been silent for the
 * adapter's stale time.
 */
export interface ConnectionSlots {
  /** Takes a slot if fewer than `max` are held for `key`; false (nothing taken) when full. */
  acquire(key: string, max: number): Promise<boolean>;
  release(key: string): Promise<void>;
  close(): Promise<void>;
}
