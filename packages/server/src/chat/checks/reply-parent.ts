/** A reply must name a message of this channel that still stands (not deleted). */
import { invalid } from "../../errors.js";
import type { Store } from "../../ports/store.js";
import { type Check, PASS, reject } from "../pipeline.js";

export function replyParentCheck(store: Store): Check {
  return {
    name: "reply_parent",
    async run({ channel, replyTo }) {
      if (replyTo === undefined) return PASS;
      const parent = await store.events.messageRef(channel.record.name, replyTo);
      return parent && !parent.deleted ? PASS : reject(invalid("replyTo does not name a message in this channel"));
    },
  };
}
