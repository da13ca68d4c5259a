/**
 * Request schemas shared by several routes. Every string is a SafeString (no NUL, no lone
 * surrogate, bounded) and every number bounded, so nothing the store cannot hold gets past
 * validation. Domain rules (name patterns, text hygiene) live in the services.
 */
import { ChannelRef, LIMITS, Nonce, ResourceId, SafeString, Seq } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";

export const ChannelParams = Type.Object({ name: ChannelRef });
export const ChannelItemParams = Type.Object({ name: ChannelRef, id: ResourceId });

export const HistoryQuery = Type.Object({
  before: Type.Optional(Seq(1)),
  after: Type.Optional(Seq()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.historyMax })),
});

export const SinceQuery = Type.Object({ since: Type.Optional(Seq()) });

/** An SSE stream's query: the resume point, and a connection ticket (POST /api/realtime/tickets). */
export const SseQuery = Type.Object({
  since: Type.Optional(Seq()),
  ticket: Type.Optional(Type.String({ maxLength: 128, description: "a single-use connection ticket" })),
});

/** The SSE resume point; empty means none (what EventSource sends before any id). */
export const SseHeaders = Type.Object({
  "last-event-id": Type.Optional(Type.String({ pattern: "^[0-9]{0,15}$", description: "the last seq received" })),
});

/** Message text; its real limit is applied after normalisation. */
export const MessageText = SafeString({ maxLength: LIMITS.messageMaxChars * 8 });

export const PostMessageBody = Type.Object({
  text: MessageText,
  nonce: Type.Optional(Nonce),
  replyTo: Type.Optional(ResourceId),
});

export const Credentials = Type.Object({
  username: SafeString({ maxLength: 64 }),
  password: SafeString({ maxLength: 1024 }),
});

export const GuestBody = Type.Object({ username: SafeString({ maxLength: 64 }) });

export const Title = SafeString({ maxLength: 1000 });

export const LiveBody = Type.Object({
  title: Type.Optional(Title),
  videoUrl: Type.Optional(Type.Union([SafeString({ maxLength: 4096 }), Type.Null()])),
});

export const channelName = (raw: string): string => raw.toLowerCase();
