/**
 * In-process Presence: exact reference counts per (channel, member). A cluster replaces it
 * with the Redis adapter, which sums node-local counts.
 */
import type { Presence, PresenceCounts, PresenceMember } from "../../ports/presence.js";

interface ChannelPresence {
  viewers: number;
  members: Map<string, { refs: number; user: PresenceMember["user"] }>;
}

export class MemoryPresence implements Presence {
  private readonly channels = new Map<string, ChannelPresence>();

  async join(channel: string, member: PresenceMember): Promise<{ firstOfMember: boolean }> {
    const state = this.channels.get(channel) ?? { viewers: 0, members: new Map() };
    this.channels.set(channel, state);
    state.viewers++;
    const existing = state.members.get(member.key);
    if (existing) {
      existing.refs++;
      return { firstOfMember: false };
    }
    state.members.set(member.key, { refs: 1, user: member.user });
    return { firstOfMember: true };
  }

  async leave(channel: string, memberKey: string): Promise<{ lastOfMember: boolean }> {
    const state = this.channels.get(channel);
    const existing = state?.members.get(memberKey);
    if (!state || !existing) return { lastOfMember: false };
    state.viewers--;
    existing.refs--;
    if (existing.refs > 0) return { lastOfMember: false };
    state.members.delete(memberKey);
    if (state.viewers === 0) this.channels.delete(channel);
    return { lastOfMember: true };
  }

  async counts(channel: string): Promise<PresenceCounts> {
    const state = this.channels.get(channel);
    if (!state) return { viewers: 0, chatters: 0 };
    let chatters = 0;
    for (const m of state.members.values()) if (m.user) chatters++;
    return { viewers: state.viewers, chatters };
  }

  async chatters(
    channel: string,
    limit: number,
  ): Promise<Array<{ username: string; displayName: string; role: string }>> {
    const out: Array<{ username: string; displayName: string; role: string }> = [];
    for (const m of this.channels.get(channel)?.members.values() ?? []) {
      if (out.length >= limit) break;
      if (m.user) out.push(m.user);
    }
    return out;
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
