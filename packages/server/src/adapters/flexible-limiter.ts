/**
 * The Limiter port over rate-limiter-flexible, whatever its store: one limiter per named rule,
 * a rejection becomes a decision with the wait, and a store failure becomes `onStoreError`.
 */
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import type { LimitDecision, Limiter, LimiterRules, LimitRule } from "../ports/limiter.js";

export class FlexibleLimiter implements Limiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    rules: LimiterRules,
    create: (name: string, rule: LimitRule) => RateLimiterAbstract,
    private readonly onStoreError: (error: unknown) => Error = (error) =>
      error instanceof Error ? error : new Error(String(error)),
  ) {
    for (const [name, rule] of Object.entries(rules)) this.limiters.set(name, create(name, rule));
  }

  async consume(rule: string, key: string): Promise<LimitDecision> {
    const limiter = this.limiters.get(rule);
    if (!limiter) throw new Error(`unknown limit rule ${rule}`);
    try {
      await limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return { allowed: false, retryAfterMs: Math.max(1, rejection.msBeforeNext) };
      throw this.onStoreError(rejection);
    }
  }

  async close(): Promise<void> {
    this.limiters.clear();
  }
}
