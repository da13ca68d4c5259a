/**
 * The channel's blocked terms (blocked-terms.ts does the matching): `reject` refuses with
 * 400 `blocked_term`, `hold` sends the message to the review queue, `mask` publishes it with
 * the terms replaced by `***`. Moderators and the owner are not filtered (as on Twitch).
 */

import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { matcherFor } from "../blocked-terms.js";
import { atLeast } from "./exempt.js";

export const blockedTermsCheck: Check = {
  name: "blocked_terms",
  run({ channel, author, text }) {
    const terms = channel.record.settings.blockedTerms;
    if (terms.length === 0 || atLeast(author, "moderator")) return PASS;
    const match = matcherFor(terms).match(text);
    if (!match) return PASS;
    switch (match.action) {
      case "reject":
        return reject(new AppError("blocked_term", "the message contains a term this channel blocks"));
      case "hold":
        return { kind: "hold", reasons: ["blocked_term"] };
      case "mask":
        return { kind: "rewrite", text: match.masked };
    }
  },
};
