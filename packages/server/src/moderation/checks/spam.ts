/**
 * Spam heuristics a channel may switch on (both off by default: stream chat shouts and
 * stretches words on purpose): too many capitals (`capsLimitPercent`, emotes and mentions
 * left out) and a character or short unit repeated too many times in a row (`repeatLimit`).
 * Refused with 400 `spam`; VIPs, moderators and the owner are exempt.
 */
import { SPAM_MIN_LETTERS, STREAM_EMOTES } from "@chorus/protocol";
import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { atLeast } from "./exempt.js";

const LETTERS = /\p{L}/gu;
const CAPITALS = /\p{Lu}/gu;
const HAS_CAPITAL = /\p{Lu}/u;

/** Share of capitals (0–100) among the letters outside emotes and mentions; null below `SPAM_MIN_LETTERS`. */
export function capitalsPercent(text: string): number | null {
  let kept = "";
  for (const word of text.split(/\s+/)) {
    if (!STREAM_EMOTES.has(word) && !word.startsWith("@")) kept += word;
  }
  const letters = kept.match(LETTERS)?.length ?? 0;
  if (letters < SPAM_MIN_LETTERS) return null;
  return ((kept.match(CAPITALS)?.length ?? 0) * 100) / letters;
}

/**
 * Whether a unit of one to three characters occurs more than `limit` times in a row, case
 * aside: a run of the unit repeated k times is (k − 1) × length characters each equal to the
 * one a unit earlier. One pass per unit length, no regular expression (it runs on every message).
 */
export function repeatsMoreThan(text: string, limit: number): boolean {
  const t = text.toLowerCase();
  for (let unit = 1; unit <= 3; unit++) {
    const needed = limit * unit;
    let run = 0;
    for (let i = unit; i < t.length; i++) {
      if (t.charCodeAt(i) === t.charCodeAt(i - unit)) {
        run++;
        if (run >= needed) return true;
      } else run = 0;
    }
  }
  return false;
}

export const spamCheck: Check = {
  name: "spam",
  run({ channel, author, text }) {
    const { capsLimitPercent, repeatLimit } = channel.record.settings;
    if ((capsLimitPercent === null && repeatLimit === null) || atLeast(author, "vip")) return PASS;
    // Most messages have no capital at all: one scan, and the count is not needed.
    if (capsLimitPercent !== null && HAS_CAPITAL.test(text)) {
      const percent = capitalsPercent(text);
      if (percent !== null && percent >= capsLimitPercent) {
        return reject(new AppError("spam", "too many capital letters"));
      }
    }
    if (repeatLimit !== null && repeatsMoreThan(text, repeatLimit)) {
      return reject(new AppError("spam", "too many repeated characters"));
    }
    return PASS;
  },
};
