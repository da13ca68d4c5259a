/** The public shapes of a channel and a broadcast, as the API and events carry them. */
import type { Broadcast, Channel } from "@chorus/protocol";
import type { Presence } from "../ports/presence.js";
import type { BroadcastRecord } from "../ports/store.js";
import type { ChannelState } from "./channel-cache.js";
import { publicSettings } from "./shield.js";

export async function toPublicChannel(state: ChannelState, presence: Presence): Promise<Channel> {
  const { viewers } = await presence.counts(state.record.name);
  const channel: Channel = {
    name: state.record.name,
    title: state.record.title,
    ownerId: state.record.ownerId,
    live: state.broadcast !== null,
    videoUrl: state.record.videoUrl,
    viewers,
    settings: publicSettings(state.record.settings),
    createdAt: state.record.createdAt,
  };
  if (state.broadcast) channel.broadcast = toBroadcast(state.broadcast);
  return channel;
}

export function toBroadcast(b: BroadcastRecord): Broadcast {
  return {
    id: b.id,
    title: b.title,
    startedAt: b.startedAt,
    endedAt: b.endedAt,
    messageCount: b.messageCount,
    videoUrl: b.videoUrl ?? null,
  };
}
