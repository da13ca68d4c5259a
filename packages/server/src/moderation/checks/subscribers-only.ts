/** Subscribers-only mode: subscribers and above (VIPs, moderators, the owner) may chat. */

import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { atLeast } from "./exempt.js";

export const subscribersOnlyCheck: Check = {
  name: "subscribers_only",
  run({ channel, author }) {
    if (!channel.record.settings.subscribersOnly || atLeast(author, "subscriber")) return PASS;
    return reject(new AppError("mode_restricted", "this chat is in subscribers-only mode"));
  },
};
