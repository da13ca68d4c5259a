/**
 * Limiter port: named token-bucket style limits (chat messages per user, auth attempts per
 * IP). Adapters wrap rate-limiter-flexible (memory, Redis) so limits hold across nodes.
 *
 * Contract (test/contracts/limiter.contract.ts): `consume` allows exactly `points` calls per
 * key per window and then answers the time until the next call would be allowed.
 *
 * A rule is either the name of one configured at start (`"message"`, `"auth"`) or given with
 * the call (`{name, points, durationSec}`): per-channel limits such as slow mode change at
 * run time, so they cannot be fixed when the process starts. Calls naming the same dynamic
 * rule with the same points and duration share one budget per key, on every node.
 */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface LimitRule {
  points: number;
  durationSec: number;
}

/** A limit given with the call; `name` keeps different uses of the same numbers apart. */
export interface NamedLimitRule extends LimitRule {
  name: string;
}

export interface Limiter {
  consume(rule: string | NamedLimitRule, key: string): Promise<LimitDecision>;
  close(): Promise<void>;
}

export type LimiterRules = Record<string, LimitRule>;
