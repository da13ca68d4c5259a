/**
 * The WebSocket client-frame decoder (`decodeClientFrame`, the only reader of client input on
 * a socket), fed arbitrary strings, arbitrary JSON and near-valid frames: every op with fields
 * mutated, retyped, duplicated, deleted, nested deep, given raw number literals (1e400, -0),
 * escaped lone surrogates and NUL, and `__proto__` / `constructor` / `prototype` keys.
 *
 * Properties: it never throws; it answers a frame exactly when the op's schema accepts the op's
 * own fields (TypeBox's interpreter, `Value.Check`, against the decoder's compiled checker),
 * and then only those fields, on a plain object, with strings the store can hold; otherwise a
 * typed error (`payload_too_large` over the limit, else `invalid_request`) with a short message
 * and the frame's own nonce echoed only when it is a string of at most 64 characters; the same
 * input gives the same answer; an accepted frame re-encoded decodes to itself; and no built-in
 * prototype changed.
 */
import { isDeepStrictEqual } from "node:util";
import { CLIENT_FRAMES, type ClientOp, isSafeString, LIMITS } from "@chorus/protocol";
import { type DecodeResult, decodeClientFrame } from "@chorus/protocol/decode";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import {
  frameTextOf,
  loneSurrogate,
  nastyString,
  POLLUTING_KEYS,
  pollutingJson,
  rawJsonValue,
  type Schema,
  schemaValues,
} from "../generators.js";
import { assertNoPollution } from "../pollution.js";
import { type Cases, syncCases, type Target } from "../runner.js";

const OPS = Object.keys(CLIENT_FRAMES) as ClientOp[];
const FIELDS = new Map<string, readonly string[]>(OPS.map((op) => [op, Object.keys(CLIENT_FRAMES[op].properties)]));
const ALL_FIELDS = [...new Set([...FIELDS.values()].flat())];
const schemaOf = (op: string): TSchema => CLIENT_FRAMES[op as ClientOp];

/** Decoder error messages name the field and the rule; one that echoes the input would be this long. */
const MESSAGE_MAX_CHARS = 200;

export interface FrameCase {
  raw: string;
  maxBytes: number;
}

// ---- generators -------------------------------------------------------------------------------

const values = schemaValues((field) => {
  switch (field) {
    case "channel":
      return ["main", "MAIN", "no_such_channel", "x", "a".repeat(64), "a".repeat(65)];
    case "token":
      return ["garbage", "a.b.c", "x".repeat(4096), "x".repeat(4097)];
    case "nonce":
      return ["n-1", "x".repeat(64), "x".repeat(65)];
    case "text":
      return ["hello", "  ", "e\u0301", "😀".repeat(501), "x".repeat(4000), "x".repeat(4001)];
    default:
      return [];
  }
});

/** A frame as an ordered list of members, each a key and the raw JSON text of its value. */
type Members = Array<[string, string]>;

type Mutation =
  | { kind: "set"; key: string; value: string }
  | { kind: "delete"; index: number }
  | { kind: "plant"; key: string; value: string }
  | { kind: "op"; value: string };

const opVariant = fc.constantFrom(
  ...OPS,
  "Send",
  "SEND",
  "send ",
  " send",
  "sen\u0000d",
  "send\u200b",
  "ѕend",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "",
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("set" as const),
      key: fc.oneof({ arbitrary: fc.constantFrom(...ALL_FIELDS), weight: 5 }, { arbitrary: nastyString, weight: 1 }),
      value: rawJsonValue,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), index: fc.nat(6) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("plant" as const),
      key: fc.constantFrom(...POLLUTING_KEYS),
      value: fc.oneof(pollutingJson, rawJsonValue),
    }),
  },
  // A duplicate "op" member: JSON.parse keeps the last one.
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("op" as const), value: opVariant.map((op) => JSON.stringify(op)) }),
  },
);

function applyMutation(members: Members, m: Mutation): Members {
  switch (m.kind) {
    case "set": {
      const at = members.findIndex(([key]) => key === m.key);
      if (at < 0) return [...members, [m.key, m.value]];
      return members.map((member, i): [string, string] => (i === at ? [m.key, m.value] : member));
    }
    case "delete":
      return members.filter((_, i) => i !== m.index % Math.max(1, members.length));
    case "plant":
      return [[m.key, m.value], ...members];
    case "op":
      return [...members, ["op", m.value]];
  }
}

const serialise = (members: Members, spaced: boolean): string =>
  spaced
    ? `{ ${members.map(([k, v]) => `${JSON.stringify(k)} : ${v}`).join(" ,\n\t")} }`
    : `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;

/** Every op's own valid frame, then up to four mutations; sometimes wrapped, padded or cut. */
const nearValidFrame: fc.Arbitrary<string> = fc
  .constantFrom(...OPS)
  .chain((op) => values.objectFrom(schemaOf(op) as unknown as Schema, false))
  .chain((frame) =>
    fc.record({
      members: fc.constant(Object.entries(frame).map(([k, v]): [string, string] => [k, JSON.stringify(v) ?? "null"])),
      mutations: fc.array(mutation, { maxLength: 4 }),
      spaced: fc.boolean(),
      envelope: fc.constantFrom("none", "none", "none", "none", "array", "nested", "bom", "trailing", "cut"),
      cutAt: fc.nat(),
    }),
  )
  .map(({ members, mutations, spaced, envelope, cutAt }) => {
    const text = serialise(mutations.reduce(applyMutation, members), spaced);
    switch (envelope) {
      case "array":
        return `[${text}]`;
      case "nested":
        return `{"op":"send","frame":${text}}`;
      case "bom":
        return `\ufeff${text}`;
      case "trailing":
        return `${text}}`;
      case "cut":
        return text.slice(0, cutAt % (text.length + 1));
      default:
        return text;
    }
  });

const arbitraryString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "binary-ascii", maxLength: 64 }),
  fc
    .array(fc.oneof(fc.string({ unit: "binary", maxLength: 1 }), loneSurrogate), { maxLength: 32 })
    .map((parts) => parts.join("")),
);

const arbitraryJson = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.oneof(fc.constantFrom("op", ...ALL_FIELDS, ...POLLUTING_KEYS), fc.string()),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((v) => JSON.stringify(v)),
);

/** A frame padded with white space to just under, at or just over the limit. */
const atTheLimit: fc.Arbitrary<FrameCase> = fc
  .tuple(nearValidFrame, fc.integer({ min: -2, max: 2 }), fc.constantFrom(64, 256, LIMITS.wsMaxPayloadBytes))
  .map(([raw, delta, maxBytes]) => ({ raw: raw + " ".repeat(Math.max(0, maxBytes + delta - raw.length)), maxBytes }));

const withDefaultLimit = (raw: fc.Arbitrary<string>): fc.Arbitrary<FrameCase> =>
  raw.map((text) => ({ raw: text, maxBytes: LIMITS.wsMaxPayloadBytes }));

export const frameCases: fc.Arbitrary<FrameCase> = fc.oneof(
  { weight: 10, arbitrary: withDefaultLimit(nearValidFrame) },
  { weight: 3, arbitrary: withDefaultLimit(frameTextOf(OPS, (op) => schemaOf(op) as unknown as Schema, values)) },
  { weight: 2, arbitrary: withDefaultLimit(arbitraryJson) },
  { weight: 2, arbitrary: withDefaultLimit(arbitraryString) },
  { weight: 1, arbitrary: atTheLimit },
);

// ---- the property -------------------------------------------------------------------------------

type Expected = { ok: true; frame: Record<string, unknown> } | { ok: false; code: string; nonce?: string };

/** What the decoder must answer, worked out independently with TypeBox's interpreter. */
function expected(raw: string, maxBytes: number): Expected {
  if (raw.length > maxBytes) return { ok: false, code: "payload_too_large" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, code: "invalid_request" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { ok: false, code: "invalid_request" };
  const op: unknown = Object.hasOwn(parsed, "op") ? (parsed as Record<string, unknown>)["op"] : undefined;
  const fields = typeof op === "string" && Object.hasOwn(CLIENT_FRAMES, op) ? FIELDS.get(op) : undefined;
  if (typeof op !== "string" || !fields) return { ok: false, code: "invalid_request" };
  const own: Record<string, unknown> = {};
  for (const key of fields) if (Object.hasOwn(parsed, key)) own[key] = (parsed as Record<string, unknown>)[key];
  const nonce: unknown = own["nonce"];
  if (Value.Check(schemaOf(op), own)) return { ok: true, frame: own };
  return typeof nonce === "string" && nonce.length <= LIMITS.nonceMaxChars
    ? { ok: false, code: "invalid_request", nonce }
    : { ok: false, code: "invalid_request" };
}

function fail(what: string, result: DecodeResult, want?: Expected): never {
  const shown = (v: unknown) => fc.stringify(v).slice(0, 600);
  throw new Error(`${what}\n  decoder: ${shown(result)}${want ? `\n  expected: ${shown(want)}` : ""}`);
}

/** Strings anywhere in a value, so that each can be checked for what the store refuses. */
function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) yield* stringsIn(item);
}

/** Checks one case; true when the decoder accepted the frame. */
export function checkFrame({ raw, maxBytes }: FrameCase): boolean {
  let result: DecodeResult;
  try {
    result = decodeClientFrame(raw, maxBytes);
  } catch (error) {
    throw new Error(`decodeClientFrame threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  assertNoPollution("decoding the frame");
  const want = expected(raw, maxBytes);
  if (result.ok !== want.ok)
    fail(result.ok ? "accepted a frame its schema refuses" : "refused a valid frame", result, want);
  if (result.ok && want.ok) {
    const frame = result.frame as unknown as Record<string, unknown>;
    if (Object.getPrototypeOf(frame) !== Object.prototype) fail("the frame is not a plain object", result);
    const fields = FIELDS.get(String(frame["op"])) ?? [];
    const extra = Reflect.ownKeys(frame).filter((k) => typeof k !== "string" || !fields.includes(k));
    if (extra.length > 0) fail(`the frame carries keys its op does not have: ${extra.map(String).join(", ")}`, result);
    if (!isDeepStrictEqual(frame, want.frame)) fail("the frame differs from the input's own fields", result, want);
    for (const s of stringsIn(frame)) if (!isSafeString(s)) fail("the frame holds a string the store refuses", result);
    const since = frame["since"];
    if (since !== undefined && !(Number.isSafeInteger(since) && (since as number) >= 0))
      fail("since is not a seq", result);
    const again = decodeClientFrame(JSON.stringify(frame), maxBytes + 1024);
    if (!again.ok || JSON.stringify(again.frame) !== JSON.stringify(frame)) {
      fail("the accepted frame, re-encoded, does not decode to itself", again);
    }
  } else if (!result.ok && !want.ok) {
    if (result.code !== want.code) fail(`error code ${result.code}, expected ${want.code}`, result, want);
    if (
      typeof result.message !== "string" ||
      result.message.length === 0 ||
      result.message.length > MESSAGE_MAX_CHARS
    ) {
      fail("the error message is empty or too long", result);
    }
    if (result.nonce !== want.nonce) fail("the echoed nonce is not the frame's own short one", result, want);
  }
  if (!isDeepStrictEqual(decodeClientFrame(raw, maxBytes), result))
    fail("a second decode answered differently", result);
  return result.ok;
}

export const framesTarget: Target = {
  name: "frames",
  summary: "WebSocket client-frame decoder (decodeClientFrame)",
  weight: 30,
  async open() {
    let accepted = 0;
    let refused = 0;
    const cases: Cases = syncCases(
      frameCases,
      (c) => {
        if (checkFrame(c)) accepted++;
        else refused++;
      },
      (c) => `maxBytes ${c.maxBytes}, raw ${JSON.stringify(c.raw).slice(0, 3000)}`,
    );
    return {
      cases,
      close: async () => {},
      stats: () => `${accepted} frames accepted, ${refused} refused`,
    };
  },
};
