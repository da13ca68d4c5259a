/** The per-user message limit (`MESSAGES_PER_WINDOW` per `MESSAGE_WINDOW_SEC`); exempt authors skip it. */
import { AppError } from "../../errors.js";
import type { Limiter } from "../../ports/limiter.js";
import { type Check, PASS, reject } from "../pipeline.js";

export function rateLimitCheck(limiter: Limiter): Check {
  return {
    name: "rate_limit",
    async run({ author }) {
      if (author.exempt) return PASS;
      const decision = await limiter.consume("message", author.user.id);
      if (decision.allowed) return PASS;
      return reject(new AppError("rate_limited", "you are sending messages too quickly", decision.retryAfterMs));
    },
  };
}
