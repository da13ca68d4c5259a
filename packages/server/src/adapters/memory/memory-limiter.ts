/** In-process Limiter on rate-limiter-flexible's memory store. */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { LimitDecision, Limiter, LimiterRules } from "../../ports/limiter.js";

export class MemoryLimiter implements Limiter {
  private readonly limiters = new Map<string, RateLimiterMemory>();

  constructor(rules: LimiterRules) {
    for (const [name, rule] of Object.entries(rules)) {
      this.limiters.set(
        name,
        new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSec }),
      );
    }
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
      throw rejection;
    }
  }

  async close(): Promise<void> {
    this.limiters.clear();
  }
}
