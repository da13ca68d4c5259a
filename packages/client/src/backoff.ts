/**
 * Reconnect delays: exponential backoff with "full jitter" (AWS Architecture Blog, 2015):
 * the n-th retry waits a uniformly random time in [0, min(cap, base · 2^n)). Randomising the
 * whole interval spreads a crowd of clients that lost the same server, so they do not come
 * back in lockstep.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. @default 500 */
  baseMs?: number;
  /** Largest ceiling any retry may reach. @default 30000 */
  capMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. @default Math.random */
  random?: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 500, capMs: 30_000 } as const;

/** The ceiling of the `attempt`-th (0-based) retry's delay. */
export function backoffCeiling(attempt: number, baseMs: number, capMs: number): number {
  // 2^1024 is Infinity, which Math.min would still clamp; the bound just keeps the maths finite.
  const exponent = Math.min(Math.max(attempt, 0), 52);
  return Math.min(capMs, baseMs * 2 ** exponent);
}

/** A delay drawn uniformly from [0, ceiling) for the `attempt`-th retry. */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * backoffCeiling(attempt, baseMs, capMs));
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
    this.capMs = options.capMs ?? DEFAULT_BACKOFF.capMs;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next retry; each call widens the window until `capMs`. */
  next(): number {
    return fullJitter(this.attempt++, this.baseMs, this.capMs, this.random);
  }

  /** Call once a connection is established again. */
  reset(): void {
    this.attempt = 0;
  }
}
