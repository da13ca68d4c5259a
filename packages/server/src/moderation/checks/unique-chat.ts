/**
 * Unique chat: no repeating a message you sent in the last 30 seconds (compared after
 * normalisation: case, spacing, stretched letters). Remembered in the Limiter, so it holds
 * across nodes; VIPs, moderators and the owner are exempt (as on Twitch).
 */
import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import type { Limiter } from "../../ports/limiter.js";
import { atLeast } from "./exempt.js";

export const UNIQUE_WINDOW_SEC = 30;

/** What counts as "the same message": case-folded, spacing collapsed, each run of one character read as one. */
export function uniqueKey(text: string): string {
  // The folded text itself is the key (messages are bounded): hashing it cost more than the rest.
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/gu, " ")
    .replace(/(.)\1+/gu, "$1")
    .trim();
}

export function uniqueChatCheck(limiter: Limiter): Check {
  return {
    name: "unique_chat",
    localOnly: true,
    async run({ channel, author, text }) {
      if (!channel.record.settings.uniqueChat || atLeast(author, "vip")) return PASS;
      const rule = { name: `unique:${channel.record.name}`, points: 1, durationSec: UNIQUE_WINDOW_SEC };
      const decision = await limiter.consume(rule, `${author.user.id}:${uniqueKey(text)}`);
      if (decision.allowed) return PASS;
      return reject(
        new AppError("mode_restricted", `unique chat: you sent this message in the last ${UNIQUE_WINDOW_SEC} s`),
      );
    },
  };
}
