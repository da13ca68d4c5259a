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
 *
 * Counters for things that are not refused on the spot (failed logins: the attempt has been
 * made, only the next one can be refused) use `record`, `peek`, `reset` and `block`: a
 * configured rule's budget, read and written without the consume-or-refuse step.
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

/** A key's use of a rule's budget in its current window. */
export interface LimitUsage {
  consumed: number;
  /** Whether the budget is used up (`consumed >= points`, or blocked). */
  exhausted: boolean;
  /** Until the window (or a block) ends; 0 when the key has no count. */
  msBeforeReset: number;
}

export interface Limiter {
  consume(rule: string | NamedLimitRule, key: string): Promise<LimitDecision>;
  /** Counts one against a configured rule and never refuses. */
  record(rule: string, key: string): Promise<LimitUsage>;
  /** Reads a key's count without changing it. */
  peek(rule: string, key: string): Promise<LimitUsage>;
  /** Forgets a key's count (and any block). */
  reset(rule: string, key: string): Promise<void>;
  /** Marks a key exhausted for `ms` (rounded up to whole seconds), whatever its count (a back-off). */
  block(rule: string, key: string, ms: number): Promise<void>;
  close(): Promise<void>;
}

export type LimiterRules = Record<string, LimitRule>;
