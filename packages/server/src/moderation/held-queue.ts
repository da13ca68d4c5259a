/**
 * Holding a message for review: it is stored (the queue survives restarts and is shared by
 * every node), its sender is told it is held, and every node's moderators of the channel get
 * `message_held` live (through the bus; viewers never see it). Approving and denying are
 * moderation actions (moderation-service.ts).
 */
import type { ChannelEvent, Message } from "@chorus/protocol";
import type { Store } from "../ports/store.js";

/** Publishes an unlogged event to a channel's moderators on every node. */
export type NotifyModerators = (channel: string, event: ChannelEvent) => void;

export class HeldQueue {
  constructor(
    private readonly store: Store,
    private readonly notify: NotifyModerators,
  ) {}

  /** Resolves with the held message's id (the earlier one's, for a retried nonce). */
  async hold(message: Message, reasons: string[], dedupKey: string | undefined): Promise<string> {
    const at = Date.now();
    const id = await this.store.held.put({
      id: message.id,
      channel: message.channel,
      message,
      reasons,
      dedupKey: dedupKey ?? null,
      at,
    });
    if (id === message.id) {
      this.notify(message.channel, {
        op: "event",
        channel: message.channel,
        type: "message_held",
        at,
        data: { message, reasons },
      });
    }
    return id;
  }
}
