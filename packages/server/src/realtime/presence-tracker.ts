/**
 * Connects subscriptions to the Presence port and publishes the ephemeral presence events:
 * `user_joined` / `user_left` for signed-in users while the channel is small enough for
 * them to be readable (docs/api.md: ≤ 1,000 viewers), and `viewer_count` on a timer, only when
 * the count changed — counts, not per-join storms, in big channels.
 */
import { LIMITS } from "@chorus/protocol";
import type { Logger } from "pino";
import type { ChannelService } from "../channels/channel-service.js";
import { roleOf } from "../chat/permissions.js";
import type { Presence } from "../ports/presence.js";
import type { UserRecord } from "../ports/store.js";
import type { Hub } from "./hub.js";

/** Viewer-count events published per event-loop turn (see tick). */
const COUNTS_PER_TURN = 20;

export interface Viewer {
  /** Unique per connection for anonymous viewers; the user id for signed-in ones. */
  key: string;
  user: UserRecord | null;
}

export class PresenceTracker {
  private timer: NodeJS.Timeout | null = null;
  private readonly lastCounts = new Map<string, string>();

  constructor(
    private readonly presence: Presence,
    private readonly hub: Hub,
    private readonly channels: ChannelService,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  join(channel: string, viewer: Viewer): void {
    const state = this.channels.peek(channel);
    const user = viewer.user
      ? {
          username: viewer.user.username,
          displayName: viewer.user.displayName,
          role: state ? roleOf(state, viewer.user) : "viewer",
        }
      : null;
    this.presence
      .join(channel, { key: viewer.key, user })
      .then(async ({ firstOfMember }) => {
        if (firstOfMember && user) await this.announce(channel, "user_joined", user.username);
      })
      .catch((error: unknown) => this.logger.warn({ err: error, channel }, "presence join failed"));
  }

  leave(channel: string, viewer: Viewer): void {
    this.presence
      .leave(channel, viewer.key)
      .then(async ({ lastOfMember }) => {
        if (lastOfMember && viewer.user) await this.announce(channel, "user_left", viewer.user.username);
      })
      .catch((error: unknown) => this.logger.warn({ err: error, channel }, "presence leave failed"));
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async announce(channel: string, type: "user_joined" | "user_left", username: string): Promise<void> {
    const { viewers } = await this.presence.counts(channel);
    if (viewers > LIMITS.joinLeaveMaxViewers) return;
    this.hub.publish(channel, [{ op: "event", channel, type, at: Date.now(), data: { username } }]);
  }

  private async tick(): Promise<void> {
    let published = 0;
    for (const channel of this.hub.activeChannels()) {
      // A node with hundreds of channels would otherwise publish every count in one turn
      // and fan them all out in one flush — 10,000 writes at once, a ~100 ms stall that
      // chat messages queue behind. A turn of the event loop every few channels spreads it.
      if (published > 0 && published % COUNTS_PER_TURN === 0) await new Promise<void>((r) => setImmediate(r));
      try {
        const counts = await this.presence.counts(channel);
        const key = `${counts.viewers}/${counts.chatters}`;
        if (this.lastCounts.get(channel) === key) continue;
        this.lastCounts.set(channel, key);
        this.hub.publish(channel, [{ op: "event", channel, type: "viewer_count", at: Date.now(), data: counts }]);
        published++;
      } catch (error) {
        this.logger.warn({ err: error, channel }, "viewer count failed");
      }
    }
    for (const channel of this.lastCounts.keys())
      if (this.hub.subscriberCount(channel) === 0) this.lastCounts.delete(channel);
  }
}
