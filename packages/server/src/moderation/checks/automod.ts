/**
 * AutoMod (automod/automod.ts decides): a message its levels filter goes to the review queue
 * with one `automod:<category>` reason per category hit; a severe term at level 4 is refused
 * with 400 `blocked_term`. Moderators and the owner are not filtered (as on Twitch).
 */

import type { ChannelSettings } from "@chorus/protocol";
import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { type AutoModLevels, evaluate, isOff, levelsFor } from "../automod/automod.js";
import { atLeast } from "./exempt.js";

// A channel's settings object is replaced when they change, so this follows edits.
const levelsCache = new WeakMap<ChannelSettings, AutoModLevels | null>();

/** The channel's levels, or null when AutoMod is off in every category. */
function levelsOf(settings: ChannelSettings): AutoModLevels | null {
  let levels = levelsCache.get(settings);
  if (levels === undefined) {
    const computed = levelsFor(settings);
    levels = isOff(computed) ? null : computed;
    levelsCache.set(settings, levels);
  }
  return levels;
}

export const autoModCheck: Check = {
  name: "automod",
  run({ channel, author, text }) {
    const levels = levelsOf(channel.record.settings);
    if (!levels || atLeast(author, "moderator")) return PASS;
    const result = evaluate(text, levels);
    switch (result.action) {
      case "pass":
        return PASS;
      case "hold":
        return { kind: "hold", reasons: [...new Set(result.hits.map((h) => `automod:${h.category}`))] };
      case "reject":
        return reject(new AppError("blocked_term", "AutoMod refused the message"));
    }
  },
};
