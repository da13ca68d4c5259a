/**
 * The checks every message passes, in order: validation (cheap, no I/O) → retry lookup →
 * policy (sanctions, chat modes, limits, filters as moderation adds them) → the reply
 * parent (a store read, last so that rejected messages never cost one).
 */

import { sanctionsCheck } from "../../moderation/checks/sanctions.js";
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
    guestsCheck,
    rateLimitCheck(deps.limiter),
    replyParentCheck(deps.store),
  ];
}
