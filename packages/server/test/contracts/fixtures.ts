import { randomUUID } from "node:crypto";
import { DEFAULT_CHANNEL_SETTINGS, type LoggedEvent, type Message } from "@chorus/protocol";
import type { ChannelRecord, Store, UserRecord } from "../../src/ports/store.js";

export function userRecord(username = `u_${randomUUID().slice(0, 8)}`): UserRecord {
  return {
    id: randomUUID(),
    username,
    displayName: username,
    color: "#FF0000",
    passwordHash: null,
    isAdmin: false,
    isGuest: true,
    createdAt: Date.now(),
  };
}

export function channelRecord(name = `c_${randomUUID().slice(0, 8)}`, ownerId: string | null = null): ChannelRecord {
  return {
    name,
    title: "Test",
    ownerId,
    settings: { ...DEFAULT_CHANNEL_SETTINGS },
    videoUrl: null,
    liveBroadcastId: null,
    createdAt: Date.now(),
  };
}

export function message(channel: string, seq: number, author: UserRecord, extra: Partial<Message> = {}): Message {
  return {
    id: randomUUID(),
    channel,
    seq,
    text: `message ${seq}`,
    createdAt: Date.now(),
    author: {
      id: author.id,
      username: author.username,
      displayName: author.displayName,
      color: author.color,
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
    ...extra,
  };
}

export function messageEvent(
  channel: string,
  seq: number,
  author: UserRecord,
  extra: Partial<Message> = {},
): LoggedEvent {
  return { op: "event", channel, seq, type: "message", at: Date.now(), data: message(channel, seq, author, extra) };
}

export async function seedChannel(store: Store): Promise<{ channel: string; user: UserRecord }> {
  const user = userRecord();
  await store.users.create(user);
  const channel = channelRecord(undefined, user.id);
  await store.channels.create(channel);
  return { channel: channel.name, user };
}
