/**
 * Leases on Redis: `SET key token NX PX ttl` takes one, a compare-and-extend script renews it
 * every third of its time to live, a compare-and-delete script releases it. Only the holder's
 * random token renews or releases, so a holder that was presumed dead cannot extend or free a
 * lease someone else has taken since. The holder counts its lease lost when a renewal finds
 * another token (or none), or when no renewal succeeded for the time to live less one
 * renewal period — measured from when the last good renewal was sent, which is never later
 * than Redis's own clock started it, so the old holder gives up before anyone can take over.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Lease, Leases } from "../../ports/lease.js";
import { leaseKey } from "./keys.js";
import { Script } from "./scripts.js";

export interface RedisLeaseOptions {
  /** How long a lease outlives its holder's last renewal. @default 15,000 ms */
  ttlMs: number;
  /** Renewal period. @default ttlMs / 3 */
  renewMs?: number;
}

/** KEYS: lease. ARGV: token, ttlMs. 1 when extended, 0 when the lease is gone or someone else's. */
const RENEW = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS: lease. ARGV: token. */
const RELEASE = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

class RedisLease implements Lease {
  private active = true;
  private readonly token = randomUUID();
  private readonly listeners = new Set<() => void>();
  private readonly timer: NodeJS.Timeout;
  /** When the last renewal that succeeded was sent (or the lease taken). */
  private confirmedAt: number;
  private renewing = false;

  private constructor(
    readonly name: string,
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly ttlMs: number,
    private readonly renewMs: number,
    takenAt: number,
    private readonly forget: (lease: RedisLease) => void,
  ) {
    this.confirmedAt = takenAt;
    this.timer = setInterval(() => this.tick(), renewMs);
    this.timer.unref();
  }

  static async take(
    name: string,
    redis: Redis,
    logger: Logger,
    options: { ttlMs: number; renewMs: number },
    forget: (lease: RedisLease) => void,
  ): Promise<RedisLease | null> {
    const takenAt = Date.now();
    const lease = new RedisLease(name, redis, logger, options.ttlMs, options.renewMs, takenAt, forget);
    try {
      const reply = await redis.set(leaseKey(name), lease.token, "PX", options.ttlMs, "NX");
      if (reply === "OK") return lease;
    } catch (error) {
      lease.stop();
      throw error;
    }
    lease.stop();
    return null;
  }

  get held(): boolean {
    return this.active;
  }

  onLost(listener: () => void): () => void {
    if (this.active) this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async release(): Promise<void> {
    if (!this.stop()) return;
    try {
      await RELEASE.run(this.redis, [leaseKey(this.name)], [this.token]);
    } catch (error) {
      // It expires by itself within its time to live.
      this.logger.warn({ err: error, lease: this.name }, "could not release a lease; it will expire");
    }
  }

  private tick(): void {
    if (!this.active) return;
    // Given up one renewal period before Redis can expire it: the check runs only on ticks,
    // and a late tick must not leave two holders.
    if (Date.now() - this.confirmedAt >= this.ttlMs - this.renewMs) {
      this.lose("no renewal succeeded within the lease's time to live");
      return;
    }
    if (this.renewing) return;
    this.renewing = true;
    const sentAt = Date.now();
    RENEW.run(this.redis, [leaseKey(this.name)], [this.token, this.ttlMs])
      .then(
        (reply) => {
          if (!this.active) return;
          if (Number(reply) === 1) this.confirmedAt = sentAt;
          else this.lose("the lease expired or was taken");
        },
        (error: unknown) => {
          // Redis away: keep trying until the time to live runs out (checked on every tick).
          this.logger.debug({ err: error, lease: this.name }, "lease renewal failed");
        },
      )
      .finally(() => {
        this.renewing = false;
      });
  }

  private lose(reason: string): void {
    if (!this.stop()) return;
    this.logger.warn({ lease: this.name, reason }, "lease lost");
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error, lease: this.name }, "lease-lost listener threw");
      }
    }
    this.listeners.clear();
  }

  /** Ends this holder's tenure; false when it had already ended. */
  private stop(): boolean {
    if (!this.active) return false;
    this.active = false;
    clearInterval(this.timer);
    this.forget(this);
    return true;
  }
}

export class RedisLeases implements Leases {
  private readonly held = new Set<RedisLease>();
  private readonly options: { ttlMs: number; renewMs: number };

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    options: Partial<RedisLeaseOptions> = {},
  ) {
    const ttlMs = options.ttlMs ?? 15_000;
    this.options = { ttlMs, renewMs: options.renewMs ?? Math.max(1, Math.floor(ttlMs / 3)) };
  }

  async tryAcquire(name: string): Promise<Lease | null> {
    const lease = await RedisLease.take(name, this.redis, this.logger, this.options, (l) => this.held.delete(l));
    if (lease) this.held.add(lease);
    return lease;
  }

  async close(): Promise<void> {
    await Promise.all([...this.held].map((lease) => lease.release()));
  }
}
