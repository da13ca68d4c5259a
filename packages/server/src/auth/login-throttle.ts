/**
 * Brute-force protection for password logins (OWASP Authentication Cheat Sheet):
 *
 * - Consecutive failures per (account, client IP) pair: the first `freeFailures` cost nothing,
 *   then each further failure doubles the wait before the next attempt from that pair (1 s,
 *   2 s, 4 s … up to `backoffMaxSec`). Keyed by the pair, not the account alone, so an attacker
 *   elsewhere cannot lock the real user out: their own address keeps its own count.
 * - Failures per client IP across all accounts (`failuresPerIpPerDay`): one address trying a
 *   few passwords against many accounts (password spraying) is stopped too.
 * - A success forgets the pair's failures (they were consecutive); the per-IP count stays.
 *
 * Attempts of one pair run one after another on a node, so a burst of parallel requests cannot
 * all pass the check before the first failure is counted. (Across nodes such a burst is bounded
 * by the per-IP limits instead.)
 *
 * The unknown-account case is counted exactly like a wrong password, so the throttle answers
 * the same whether an account exists or not. Counts live in the Limiter port: shared by every
 * node of a cluster.
 */
import { AppError } from "../errors.js";
import type { Limiter, LimiterRules } from "../ports/limiter.js";

export interface LoginThrottleOptions {
  freeFailures: number;
  backoffMaxSec: number;
  failuresPerIpPerDay: number;
}

const DAY_SEC = 24 * 3600;
/** Longest account name looked at for the key; anything longer is not an account name anyway. */
const KEY_NAME_MAX = 64;

/** The limiter rules the throttle reads and writes (added to the server's rule set at start). */
export function loginThrottleRules(options: LoginThrottleOptions): LimiterRules {
  return {
    // Consecutive failures per pair; a day without a failure starts the count afresh.
    login_pair_failures: { points: Number.MAX_SAFE_INTEGER, durationSec: DAY_SEC },
    // The back-off itself: blocked for the wait, never consumed.
    login_pair_lock: { points: 1, durationSec: 1 },
    login_ip_failures: { points: options.failuresPerIpPerDay, durationSec: DAY_SEC },
  };
}

/** The wait after the `failures`-th consecutive failure, in ms (0 while failures are free). */
export function backoffMs(
  failures: number,
  options: Pick<LoginThrottleOptions, "freeFailures" | "backoffMaxSec">,
): number {
  const over = failures - options.freeFailures;
  if (over <= 0) return 0;
  // 2^(over-1) s, computed without overflowing for very long runs of failures.
  const seconds = over > 31 ? options.backoffMaxSec : Math.min(options.backoffMaxSec, 2 ** (over - 1));
  return seconds * 1000;
}

export class LoginThrottle {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly limiter: Limiter,
    private readonly options: LoginThrottleOptions,
  ) {}

  /**
   * Runs one login attempt under the throttle: refused with 429 while the pair backs off,
   * otherwise `verify` decides (null = failed) and the outcome is counted.
   */
  async attempt<T>(username: string, ip: string, verify: () => Promise<T | null>): Promise<T | null> {
    const pair = pairKey(username, ip);
    const previous = this.inFlight.get(pair) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        await this.check(username, ip);
        const result = await verify();
        if (result !== null) await this.succeeded(username, ip);
        else await this.failed(username, ip);
        return result;
      });
    this.inFlight.set(pair, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(pair) === run) this.inFlight.delete(pair);
    }
  }

  /** Refuses the attempt (429 with the wait) while the pair backs off or the IP is used up. */
  async check(username: string, ip: string): Promise<void> {
    const [lock, ipFailures] = await Promise.all([
      this.limiter.peek("login_pair_lock", pairKey(username, ip)),
      this.limiter.peek("login_ip_failures", ip),
    ]);
    if (lock.exhausted) throw tooMany("too many failed logins for this account from your address", lock.msBeforeReset);
    if (ipFailures.exhausted) throw tooMany("too many failed logins from your address", ipFailures.msBeforeReset);
  }

  async failed(username: string, ip: string): Promise<void> {
    const pair = pairKey(username, ip);
    const [failures] = await Promise.all([
      this.limiter.record("login_pair_failures", pair),
      this.limiter.record("login_ip_failures", ip),
    ]);
    const wait = backoffMs(failures.consumed, this.options);
    if (wait > 0) await this.limiter.block("login_pair_lock", pair, wait);
  }

  async succeeded(username: string, ip: string): Promise<void> {
    const pair = pairKey(username, ip);
    await Promise.all([this.limiter.reset("login_pair_failures", pair), this.limiter.reset("login_pair_lock", pair)]);
  }
}

function pairKey(username: string, ip: string): string {
  return `${username.slice(0, KEY_NAME_MAX)}|${ip}`;
}

function tooMany(message: string, retryAfterMs: number): AppError {
  return new AppError("rate_limited", message, Math.max(1, retryAfterMs));
}
