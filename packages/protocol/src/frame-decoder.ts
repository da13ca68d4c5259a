/**
 * `decodeClientFrame` is the only way the server reads client input: it never throws, never
 * returns an object that shares a prototype chain with attacker-chosen keys, and answers a
 * stable error code for anything it rejects. Server-only (TypeBox compiles validators with
 * `new Function`, which browsers under our CSP refuse).
 */
import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import type { ErrorCode } from "./errors.js";
import { CLIENT_FRAMES, type ClientFrame, type ClientOp } from "./frames.js";
import { LIMITS } from "./limits.js";
import { SAFE_STRING_PATTERN, UNSAFE_STRING_MESSAGE } from "./strings.js";

const OPS = Object.keys(CLIENT_FRAMES) as ClientOp[];

interface OpDecoder {
  checker: TypeCheck<TSchema>;
  /** Fields the op may carry; everything else is dropped (forward compatible, no pollution). */
  fields: readonly string[];
}

const DECODERS = new Map<string, OpDecoder>(
  OPS.map((op) => [
    op,
    { checker: TypeCompiler.Compile(CLIENT_FRAMES[op]), fields: Object.keys(CLIENT_FRAMES[op].properties) },
  ]),
);

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
  const decoder = typeof op === "string" ? DECODERS.get(op) : undefined;
  if (!decoder) return { ok: false, code: "invalid_request", message: "unknown op" };
  // Copy only the known own fields into a prototype-less object: a "__proto__" key in the
  // input can never reach Object.prototype or change what later code reads.
  const clean: Record<string, unknown> = Object.create(null);
  for (const key of decoder.fields) if (Object.hasOwn(source, key)) clean[key] = source[key];
  // The nonce is echoed so the client can match the error to its send, whatever else was
  // wrong with the frame; an oversized one is not worth echoing.
  const given = clean["nonce"];
  const nonce = typeof given === "string" && given.length <= LIMITS.nonceMaxChars ? given : undefined;
  if (!decoder.checker.Check(clean)) {
    const first = decoder.checker.Errors(clean).First();
    const message = first ? `${first.path || "frame"}: ${describe(first.schema, first.message)}` : "invalid frame";
    return nonce === undefined
      ? { ok: false, code: "invalid_request", message }
      : { ok: false, code: "invalid_request", message, nonce };
  }
  return { ok: true, frame: { ...clean } as ClientFrame };
}

/** The pattern itself would be a useless message; say what it forbids. */
function describe(schema: TSchema, message: string): string {
  return schema["pattern"] === SAFE_STRING_PATTERN ? UNSAFE_STRING_MESSAGE : message;
}
