/**
 * The checks every message passes, in order: validation (cheap, no I/O) → retry lookup →
 * sanctions and suspicious-user marks → chat modes and account age → rate limit → the reply
 * parent (a store read) → links and spam → blocked terms → AutoMod → unique chat and slow
 * mode (which spend a turn, so only for a message nothing else refuses).
 */

import { accountAgeCheck } from "../../moderation/checks/account-age.js";
import { autoModCheck } from "../../moderation/checks/automod.js";
import { blockedTermsCheck } from "../../moderation/checks/blocked-terms.js";
import { emoteOnlyCheck } from "../../moderation/checks/emote-only.js";
import { followersOnlyCheck } from "../../moderation/checks/followers-only.js";
import { linksCheck } from "../../moderation/checks/links.js";
import { restrictedCheck } from "../../moderation/checks/restricted.js";
import { sanctionsCheck } from "../../moderation/checks/sanctions.js";
import { slowModeCheck } from "../../moderation/checks/slow-mode.js";
import { spamCheck } from "../../moderation/checks/spam.js";
import { subscribersOnlyCheck } from "../../moderation/checks/subscribers-only.js";
import { uniqueChatCheck } from "../../moderation/checks/unique-chat.js";
import type { Limiter } from "../../ports/limiter.js";
import type { ChannelLog } from "../../ports/log.js";
import type { Store } from "../../ports/store.js";
import type { Check } from "../pipeline.js";
import { guestsCheck } from "./guests.js";
import { identifiersCheck } from "./identifiers.js";
import { rateLimitCheck } from "./rate-limit.js";
import { replyParentCheck } from "./reply-parent.js";
import { retryCheck } from "./retry.js";
import { textCheck } from "./text.js";

export function defaultChecks(deps: { log: ChannelLog; limiter: Limiter; store: Store }): Check[] {
  return [
    textCheck,
    identifiersCheck,
    retryCheck(deps.log),
    sanctionsCheck,
    restrictedCheck,
    guestsCheck,
    accountAgeCheck,
    subscribersOnlyCheck,
    emoteOnlyCheck,
    followersOnlyCheck(deps.store),
    // The rate limit counts attempts (it protects the store read below from a flood).
    rateLimitCheck(deps.limiter),
    replyParentCheck(deps.store),
    linksCheck,
    spamCheck,
    blockedTermsCheck,
    autoModCheck,
    // Last: a message refused above must not spend the sender's unique-chat or slow-mode turn.
    uniqueChatCheck(deps.limiter),
    slowModeCheck(deps.limiter),
  ];
}
