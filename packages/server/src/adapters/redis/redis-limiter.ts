/** Limiter on rate-limiter-flexible's Redis store: limits hold across every node. */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../../errors.js";
import type { LimitDecision, Limiter, LimiterRules } from "../../ports/limiter.js";

export class RedisLimiter implements Limiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(redis: Redis, rules: LimiterRules, prefix = "chorus:rl") {
    for (const [name, rule] of Object.entries(rules)) {
      this.limiters.set(
        name,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}:${name}`,
          points: rule.points,
          duration: rule.durationSec,
        }),
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
      throw new AppError("unavailable", "rate limiting is unavailable (Redis unreachable), try again");
    }
  }

  async close(): Promise<void> {
    this.limiters.clear();
  }
}
