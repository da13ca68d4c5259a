/**
 * Limiter port: named token-bucket style limits (chat messages per user, auth attempts per
 * IP). Adapters wrap rate-limiter-flexible (memory, Redis) so limits hold across nodes.
 *
 * Contract (test/contracts/limiter.contract.ts): `consume` allows exactly `points` calls per
 * key per window and then answers the time until the next call would be allowed.
 */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface LimitRule {
  points: number;
  durationSec: number;
}

export interface Limiter {
  consume(rule: string, key: string): Promise<LimitDecision>;
  close(): Promise<void>;
}

export type LimiterRules = Record<string, LimitRule>;
