/**
 * WebSocket frames (API.md "WebSocket"). Clients send single JSON objects; the server sends
 * JSON arrays of one or more frames. `decodeClientFrame` is the only way the server reads
 * client input: it never throws, never returns an object that shares a prototype chain with
 * attacker-chosen keys, and answers a stable error code for anything it rejects.
 */
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { ErrorCode } from "./errors.js";
import type { ChannelEvent } from "./events.js";
import { LIMITS } from "./limits.js";
import type { Message, User } from "./models.js";

const Nonce = Type.String({ minLength: 1, maxLength: LIMITS.nonceMaxChars });
const ChannelRef = Type.String({ minLength: 1, maxLength: 64 });

export const AuthFrame = Type.Object({ op: Type.Literal("auth"), token: Type.String({ maxLength: 4096 }) });
export const SubscribeFrame = Type.Object({
  op: Type.Literal("subscribe"),
  channel: ChannelRef,
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const UnsubscribeFrame = Type.Object({ op: Type.Literal("unsubscribe"), channel: ChannelRef });
export const SendFrame = Type.Object({
  op: Type.Literal("send"),
  channel: ChannelRef,
  // Length is checked after normalisation; this bound only stops absurd frames early.
  text: Type.String({ maxLength: LIMITS.messageMaxChars * 8 }),
  nonce: Nonce,
  replyTo: Type.Optional(Type.String({ maxLength: 64 })),
});
export const PingFrame = Type.Object({ op: Type.Literal("ping") });

export type AuthFrame = Static<typeof AuthFrame>;
export type SubscribeFrame = Static<typeof SubscribeFrame>;
export type UnsubscribeFrame = Static<typeof UnsubscribeFrame>;
export type SendFrame = Static<typeof SendFrame>;
export type PingFrame = Static<typeof PingFrame>;
export type ClientFrame = AuthFrame | SubscribeFrame | UnsubscribeFrame | SendFrame | PingFrame;
export type ClientOp = ClientFrame["op"];

const checkers = {
  auth: TypeCompiler.Compile(AuthFrame),
  subscribe: TypeCompiler.Compile(SubscribeFrame),
  unsubscribe: TypeCompiler.Compile(UnsubscribeFrame),
  send: TypeCompiler.Compile(SendFrame),
  ping: TypeCompiler.Compile(PingFrame),
};

/** Fields each op may carry; everything else is dropped (forward compatible, no pollution). */
const FIELDS: Record<ClientOp, readonly string[]> = {
  auth: ["op", "token"],
  subscribe: ["op", "channel", "since"],
  unsubscribe: ["op", "channel"],
  send: ["op", "channel", "text", "nonce", "replyTo"],
  ping: ["op"],
};

export type DecodeResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: ErrorCode; message: string; nonce?: string };

export function decodeClientFrame(raw: string, maxBytes: number = LIMITS.wsMaxPayloadBytes): DecodeResult {
  if (raw.length > maxBytes)
    return { ok: false, code: "payload_too_large", message: `frame exceeds ${maxBytes} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, code: "invalid_request", message: "frame is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, code: "invalid_request", message: "frame must be a JSON object" };
  }
  const source = parsed as Record<string, unknown>;
  const op = Object.hasOwn(source, "op") ? source["op"] : undefined;
  if (typeof op !== "string" || !Object.hasOwn(FIELDS, op)) {
    return { ok: false, code: "invalid_request", message: "unknown op" };
  }
  const clientOp = op as ClientOp;
  // Copy only the known own fields into a prototype-less object: a "__proto__" key in the
  // input can never reach Object.prototype or change what later code reads.
  const clean: Record<string, unknown> = Object.create(null);
  for (const key of FIELDS[clientOp]) if (Object.hasOwn(source, key)) clean[key] = source[key];
  const checker = checkers[clientOp];
  if (!checker.Check(clean)) {
    const first = checker.Errors(clean).First();
    const nonce = typeof clean["nonce"] === "string" ? clean["nonce"] : undefined;
    const message = first ? `${first.path || "frame"}: ${first.message}` : "invalid frame";
    return nonce === undefined
      ? { ok: false, code: "invalid_request", message }
      : { ok: false, code: "invalid_request", message, nonce };
  }
  return { ok: true, frame: { ...clean } as ClientFrame };
}

export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}

// ---- server → client -------------------------------------------------------------------

export type ServerFrame =
  | { op: "auth_ok"; user: User }
  | { op: "subscribed"; channel: string; seq: number; recovered: boolean }
  | { op: "unsubscribed"; channel: string }
  | { op: "ack"; nonce: string; message: Message }
  | { op: "error"; code: ErrorCode; message: string; nonce?: string; channel?: string; retryAfterMs?: number }
  | { op: "pong" }
  | { op: "reconnect"; reason: string; retryAfterMs: number }
  | ChannelEvent;

/** Decodes one server message (a JSON array of frames). Throws on malformed input. */
export function decodeServerMessage(raw: string): ServerFrame[] {
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw new Error("server message must be a JSON array");
  return parsed as ServerFrame[];
}
