/**
 * `decodeClientFrame` is the only way the server reads client input: it never throws, never
 * returns an object that shares a prototype chain with attacker-chosen keys, and answers a
 * stable error code for anything it rejects. Server-only (TypeBox compiles validators with
 * `new Function`, which browsers under our CSP refuse).
 */
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { ErrorCode } from "./errors.js";
import {
  AuthFrame,
  type ClientFrame,
  type ClientOp,
  PingFrame,
  SendFrame,
  SubscribeFrame,
  UnsubscribeFrame,
} from "./frames.js";
import { LIMITS } from "./limits.js";

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
