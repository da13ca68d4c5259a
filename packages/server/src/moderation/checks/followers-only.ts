/**
 * Followers-only mode: only users who have followed the channel for at least
 * `followersOnlyMin` minutes may chat; VIPs, moderators and the owner are exempt (as on
 * Twitch). Guests cannot follow, so they cannot chat while it is on. One store read per
 * message, and only while the mode is on and only for those it applies to.
 */

import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import type { Store } from "../../ports/store.js";
import { atLeast } from "./exempt.js";

export function followersOnlyCheck(store: Store): Check {
  return {
    name: "followers_only",
    localOnly: true,
    async run({ channel, author, receivedAt }) {
      const minutes = channel.record.settings.followersOnlyMin;
      if (minutes === null || atLeast(author, "vip")) return PASS;
      const since = author.user.isGuest ? null : await store.follows.since(channel.record.name, author.user.id);
      if (since !== null && receivedAt - since >= minutes * 60_000) return PASS;
      const wait = since === null ? "follow the channel" : `follow for ${minutes} minute${minutes === 1 ? "" : "s"}`;
      return reject(new AppError("mode_restricted", `this chat is in followers-only mode: ${wait} to chat`));
    },
  };
}
