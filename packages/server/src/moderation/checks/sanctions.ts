/**
 * A banned or timed-out user cannot post: `banned` / `timed_out` with `until` (null for a
 * ban until lifted). The channel state carries the standing sanctions on every node; it is
 * reloaded on the sanction's own log event and on `channel_changed`, so a ban holds
 * everywhere from the moment it is imposed.
 */

import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";

export const sanctionsCheck: Check = {
  name: "sanctions",
  run({ channel, author, receivedAt }) {
    const sanction = channel.sanctions.get(author.user.id);
    if (!sanction || (sanction.until !== null && sanction.until <= receivedAt)) return PASS;
    if (sanction.kind === "ban") {
      return reject(new AppError("banned", "you are banned from this channel", undefined, sanction.until));
    }
    const until = sanction.until ?? receivedAt;
    return reject(
      new AppError("timed_out", "you are timed out in this channel", Math.max(1, until - receivedAt), until),
    );
  },
};
