/**
 * Which audience a subscriber belongs to in a channel, and keeping it right when roles
 * change: moderators (and the owner, and admins) hear the `moderators` audience as well as
 * `everyone`; everyone else only `everyone`. A role change reaches every node as
 * `channel_changed` on the bus; each node then re-evaluates its own subscribers there.
 */
import type { ChannelState } from "../channels/channel-cache.js";
import { hasRole } from "../chat/permissions.js";
import type { UserRecord } from "../ports/store.js";
import type { Audience, Hub } from "./hub.js";

export function audienceFor(channel: ChannelState, user: UserRecord | null): Audience {
  return user && hasRole(channel, user, "moderator") ? "moderators" : "everyone";
}

export class Audiences {
  constructor(
    private readonly hub: Hub,
    private readonly channels: { state(name: string): Promise<ChannelState> },
  ) {}

  async of(channel: string, user: UserRecord | null): Promise<Audience> {
    // Anonymous viewers cannot hold a role: no channel lookup on their (most common) path.
    if (!user) return "everyone";
    return audienceFor(await this.channels.state(channel), user);
  }

  /** Re-evaluates this node's subscribers of a channel whose roles may have changed. */
  async refresh(channel: string): Promise<void> {
    const subscribers = this.hub.subscribers(channel).filter((s) => s.user !== null);
    if (subscribers.length === 0) return;
    const state = await this.channels.state(channel);
    for (const subscriber of subscribers)
      this.hub.setAudience(channel, subscriber, audienceFor(state, subscriber.user));
  }
}
