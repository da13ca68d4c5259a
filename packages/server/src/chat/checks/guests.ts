/** Guests chat only where the channel allows them (else `mode_restricted`); VIPs and above always may. */
import { AppError } from "../../errors.js";
import { hasRole } from "../permissions.js";
import { type Check, PASS, reject } from "../pipeline.js";

export const guestsCheck: Check = {
  name: "guests",
  run({ channel, author }) {
    if (!author.user.isGuest || channel.record.settings.guestsAllowed || hasRole(channel, author.user, "vip")) {
      return PASS;
    }
    return reject(new AppError("mode_restricted", "guests cannot chat in this channel: sign up to chat"));
  },
};
