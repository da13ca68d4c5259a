/**
 * Trust by age. `minAccountAgeMin` (Owncast's "established users"): an account or guest
 * identity younger than that may not post; subscribers and up are exempt. `guestCooldownSec`:
 * a brand-new guest waits that long before its first message, which makes throwaway guest
 * identities slow to use in a raid; VIPs and up are exempt. Both answer 403 `mode_restricted`
 * with `retryAfterMs`, the time left.
 */
import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { atLeast } from "./exempt.js";

export const accountAgeCheck: Check = {
  name: "account_age",
  localOnly: true,
  run({ channel, author, receivedAt }) {
    const { minAccountAgeMin, guestCooldownSec } = channel.record.settings;
    const age = receivedAt - author.user.createdAt;
    if (minAccountAgeMin !== null && !atLeast(author, "subscriber")) {
      const wait = minAccountAgeMin * 60_000 - age;
      if (wait > 0) {
        return reject(
          new AppError("mode_restricted", `accounts must be ${minAccountAgeMin} min old to chat here`, wait),
        );
      }
    }
    if (guestCooldownSec > 0 && author.user.isGuest && !atLeast(author, "vip")) {
      const wait = guestCooldownSec * 1000 - age;
      if (wait > 0) {
        return reject(new AppError("mode_restricted", `new guests may chat after ${guestCooldownSec} s`, wait));
      }
    }
    return PASS;
  },
};
