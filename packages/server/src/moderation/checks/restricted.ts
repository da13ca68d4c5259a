/**
 * Suspicious users. A `restricted` user's messages are held for review (reason
 * `restricted`): moderators see them in the queue, nobody else unless one is approved, and
 * the sender is told (202 held). A `monitored` user's messages pass; the moderator view marks
 * them (it reads the marks from `GET /suspicious` and `user_status_changed`).
 */
import { type Check, PASS, type Verdict } from "../../chat/pipeline.js";

const HOLD_RESTRICTED: Verdict = Object.freeze({ kind: "hold", reasons: ["restricted"] });

export const restrictedCheck: Check = {
  name: "restricted",
  run({ channel, author }) {
    return channel.statuses.get(author.user.id)?.status === "restricted" ? HOLD_RESTRICTED : PASS;
  },
};
