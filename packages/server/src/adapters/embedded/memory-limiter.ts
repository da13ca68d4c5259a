/** In-process Limiter on rate-limiter-flexible's memory store. */
import { RateLimiterMemory } from "rate-limiter-flexible";
import type { LimiterRules } from "../../ports/limiter.js";
import { FlexibleLimiter } from "../flexible-limiter.js";

export class MemoryLimiter extends FlexibleLimiter {
  constructor(rules: LimiterRules) {
    super(
      rules,
      (name, rule) => new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSec }),
    );
  }
}
