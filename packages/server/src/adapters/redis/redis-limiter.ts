/** Limiter on rate-limiter-flexible's Redis store: limits hold across every node. */
import type { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { AppError, isDependencyFailure } from "../../errors.js";
import type { LimiterRules } from "../../ports/limiter.js";
import { FlexibleLimiter } from "../flexible-limiter.js";

export class RedisLimiter extends FlexibleLimiter {
  constructor(redis: Redis, rules: LimiterRules, prefix = "chorus:rl") {
    super(
      rules,
      (name, rule) =>
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}:${name}`,
          points: rule.points,
          duration: rule.durationSec,
        }),
      (error) =>
        isDependencyFailure(error)
          ? new AppError("unavailable", "rate limiting is unavailable (Redis unreachable), try again")
          : error instanceof Error
            ? error
            : new Error(String(error)),
    );
  }
}
