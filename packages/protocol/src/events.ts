/**
 * Channel events. Logged types carry a contiguous per-channel `seq` and are replayed on
 * resume; ephemeral types carry no `seq` and are never replayed (docs/protocol.md "the channel log").
 */
import type { Broadcast, Channel, ChannelStats, Message, Summary } from "./models.js";

export interface LoggedEventData {
  message: Message;
  message_deleted: { id: string; by: string };
  chat_cleared: { by: string };
  user_timed_out: { username: string; until: number; reason: string | null };
  user_banned: { username: string; reason: string | null };
  user_unbanned: { username: string };
  channel_updated: { channel: Channel };
  stream_started: { broadcast: Broadcast };
  stream_ended: { broadcast: Broadcast };
  summary: Summary;
}

export interface EphemeralEventData {
  user_joined: { username: string };
  user_left: { username: string };
  viewer_count: { viewers: number; chatters: number };
  stats: ChannelStats;
  /** Moderators only: a message waits for review. */
  message_held: { message: Message; reasons: string[] };
  /** Moderators only: a held message was approved (and published) or denied. */
  held_resolved: { id: string; approved: boolean; by: string };
  /** Moderators only: a user was marked restricted or monitored, or the mark was lifted (null). */
  user_status_changed: { username: string; status: "restricted" | "monitored" | null; by: string };
  /**
   * Moderators only: a delete, ban, timeout or unban done here on a mirrored message or
   * platform user was sent to that platform too (`ok`), or the platform refused (`error`).
   */
  origin_moderation: {
    platform: string;
    action: "delete" | "ban" | "timeout" | "unban";
    target: string;
    ok: boolean;
    error?: string;
    by: string;
  };
}

export type LoggedEventType = keyof LoggedEventData;
export type EphemeralEventType = keyof EphemeralEventData;
export type EventType = LoggedEventType | EphemeralEventType;

/** A logged event as it travels: the `{op:"event"}` envelope with its seq. */
export type LoggedEvent<T extends LoggedEventType = LoggedEventType> = {
  [K in T]: { op: "event"; channel: string; seq: number; type: K; at: number; data: LoggedEventData[K] };
}[T];

export type EphemeralEvent<T extends EphemeralEventType = EphemeralEventType> = {
  [K in T]: { op: "event"; channel: string; type: K; at: number; data: EphemeralEventData[K] };
}[T];

export type ChannelEvent = LoggedEvent | EphemeralEvent;

/** A logged event before the log has given it a seq. */
export type EventDraft<T extends LoggedEventType = LoggedEventType> = {
  [K in T]: { type: K; at: number; data: LoggedEventData[K] };
}[T];

export function isLoggedEvent(event: ChannelEvent): event is LoggedEvent {
  return "seq" in event && typeof event.seq === "number";
}
