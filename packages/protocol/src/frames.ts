/**
 * WebSocket frames (docs/protocol.md "WebSocket"). Clients send single JSON objects; the server sends
 * JSON arrays of one or more frames. The server's decoder of client frames lives in
 * frame-decoder.ts (entry `@chorus/protocol/decode`): it compiles validators with `new
 * Function`, which a page under a strict Content-Security-Policy must never load.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { ErrorCode } from "./errors.js";
import type { ChannelEvent } from "./events.js";
import { LIMITS } from "./limits.js";
import type { Message, User } from "./models.js";
import { ChannelRef, Nonce, ResourceId, SafeString, Seq } from "./strings.js";

export const AuthFrame = Type.Object({ op: Type.Literal("auth"), token: SafeString({ maxLength: 4096 }) });
export const SubscribeFrame = Type.Object({
  op: Type.Literal("subscribe"),
  channel: ChannelRef,
  since: Type.Optional(Seq()),
});
export const UnsubscribeFrame = Type.Object({ op: Type.Literal("unsubscribe"), channel: ChannelRef });
export const SendFrame = Type.Object({
  op: Type.Literal("send"),
  channel: ChannelRef,
  // Length is checked after normalisation; this bound only stops absurd frames early.
  text: SafeString({ maxLength: LIMITS.messageMaxChars * 8 }),
  nonce: Nonce,
  replyTo: Type.Optional(ResourceId),
});
export const PingFrame = Type.Object({ op: Type.Literal("ping") });

/** Every op a client may send, with its schema: the decoder checks each frame against it. */
export const CLIENT_FRAMES = {
  auth: AuthFrame,
  subscribe: SubscribeFrame,
  unsubscribe: UnsubscribeFrame,
  send: SendFrame,
  ping: PingFrame,
} as const;

export type AuthFrame = Static<typeof AuthFrame>;
export type SubscribeFrame = Static<typeof SubscribeFrame>;
export type UnsubscribeFrame = Static<typeof UnsubscribeFrame>;
export type SendFrame = Static<typeof SendFrame>;
export type PingFrame = Static<typeof PingFrame>;
export type ClientFrame = AuthFrame | SubscribeFrame | UnsubscribeFrame | SendFrame | PingFrame;
export type ClientOp = ClientFrame["op"];

// ---- server → client -------------------------------------------------------------------

export type ServerFrame =
  | { op: "auth_ok"; user: User }
  | { op: "subscribed"; channel: string; seq: number; recovered: boolean }
  | { op: "unsubscribed"; channel: string }
  | { op: "ack"; nonce: string; message: Message }
  /** Moderation holds the message for review; it is published if a moderator approves it. */
  | { op: "held"; nonce: string; id: string }
  | {
      op: "error";
      code: ErrorCode;
      message: string;
      nonce?: string;
      channel?: string;
      retryAfterMs?: number;
      /** For `banned` / `timed_out`: when it ends (null for a ban until lifted). */
      until?: number | null;
    }
  | { op: "pong" }
  | { op: "reconnect"; reason: string; retryAfterMs: number }
  | ChannelEvent;

/** Decodes one server message (a JSON array of frames). Throws on malformed input. */
export function decodeServerMessage(raw: string): ServerFrame[] {
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw new Error("server message must be a JSON array");
  return parsed as ServerFrame[];
}
