/**
 * Slow mode: one message per `slowModeSec` per user; VIPs, moderators and the owner are
 * exempt (as on Twitch). A per-channel limit whose duration is the channel's setting, on the
 * Limiter, so it holds across nodes and follows a changed setting at once.
 */

import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import type { Limiter } from "../../ports/limiter.js";
import { atLeast } from "./exempt.js";

export function slowModeCheck(limiter: Limiter): Check {
  return {
    name: "slow_mode",
    localOnly: true,
    async run({ channel, author }) {
      const seconds = channel.record.settings.slowModeSec;
      if (seconds <= 0 || atLeast(author, "vip")) return PASS;
      const rule = { name: `slow:${channel.record.name}`, points: 1, durationSec: seconds };
      const decision = await limiter.consume(rule, author.user.id);
      if (decision.allowed) return PASS;
      return reject(new AppError("slow_mode", `slow mode: one message every ${seconds} s`, decision.retryAfterMs));
    },
  };
}
