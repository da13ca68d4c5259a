/**
 * The per-user message limit: viewers `MESSAGES_PER_WINDOW`, moderators and the owner
 * `PRIVILEGED_MESSAGES_PER_WINDOW`, per `MESSAGE_WINDOW_SEC`, across nodes; exempt authors
 * (admins, bots) skip it.
 *
 * Guests cost nothing to create, so one client with ten guest identities would have ten
 * budgets: all guests' messages from one IP share `GUEST_MESSAGES_PER_IP_PER_WINDOW` as well.
 */
import { ROLE_RANK } from "@chorus/protocol";
import { AppError } from "../../errors.js";
import type { Limiter } from "../../ports/limiter.js";
import { type Check, PASS, reject } from "../pipeline.js";

export function rateLimitCheck(limiter: Limiter): Check {
  return {
    name: "rate_limit",
    localOnly: true,
    async run({ author }) {
      if (author.exempt) return PASS;
      const rule = ROLE_RANK[author.role] >= ROLE_RANK.moderator ? "message_privileged" : "message";
      const decision = await limiter.consume(rule, author.user.id);
      if (!decision.allowed)
        return reject(new AppError("rate_limited", "you are sending messages too quickly", decision.retryAfterMs));
      if (author.kind !== "local" || !author.user.isGuest || author.address === null) return PASS;
      const shared = await limiter.consume("guest_message_ip", author.address);
      if (shared.allowed) return PASS;
      return reject(
        new AppError("rate_limited", "guests from your address are sending messages too quickly", shared.retryAfterMs),
      );
    },
  };
}
