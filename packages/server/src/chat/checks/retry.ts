/**
 * A retried nonce (same channel, sender and nonce within the log's dedup window) is answered
 * with the original message before any limit is charged: retrying after a lost ack must
 * never cost the sender, nor log the message twice.
 */
import type { ChannelLog } from "../../ports/log.js";
import { type Check, PASS } from "../pipeline.js";

export function retryCheck(log: ChannelLog): Check {
  return {
    name: "retry",
    async run(draft) {
      if (draft.dedupKey === undefined) return PASS;
      const original = await log.seen(draft.channel.record.name, draft.dedupKey);
      return original?.type === "message" ? { kind: "duplicate", message: original.data } : PASS;
    },
  };
}
