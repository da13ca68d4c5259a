/**
 * Hostile values and the requests and frames built from them, shared by the nightly fuzzer
 * (fuzz.ts) and the boundary property test (test/boundary.property.test.ts): one definition
 * of "what breaks things", so that a value added here is tried everywhere.
 *
 * Three layers: plain hostile values (NUL, half surrogate pairs, numeric nonsense, wrong types,
 * prototype-polluting keys); values drawn from a JSON schema with hostile ones mixed in; and
 * whole HTTP calls and WebSocket frames made of those.
 */
import fc from "fast-check";

// ---- hostile values ---------------------------------------------------------------------------

export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Short strings assembled from the pieces that break things: NUL, half pairs, URL syntax. */
export const nastyString = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      loneSurrogate,
      fc.constantFrom("\u0000", "main", "😀", "\uD83D", "\uDE00", "%", "%00", "/", "?", "#", "..", " ", "\\", '"'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

export const longString = fc.constantFrom("x".repeat(65), "x".repeat(1025), "y".repeat(9000), "\u0000".repeat(300));

export const hostileNumber = fc.constantFrom(
  -1,
  -0.5,
  1.5,
  2 ** 53,
  1e20,
  -1e20,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 31,
  -(2 ** 63),
);

export const numericNonsense = fc.constantFrom(
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "99999999999999999999",
  "0x10",
  " 1",
  "1 ",
  "",
  "-0",
  "1.0",
  "١٢",
);

/** Keys that reach Object.prototype when code copies or merges objects carelessly. */
export const POLLUTING_KEYS = ["__proto__", "constructor", "prototype"] as const;

/** The key every pollution payload tries to plant; `({}).polluted` must stay undefined. */
export const POLLUTION_MARKER = "polluted";

/** JSON texts that pollute Object.prototype if parsed and merged naively (JSON.parse keeps `__proto__` as an own key). */
export const pollutingJson = fc.constantFrom(
  `{"__proto__":{"${POLLUTION_MARKER}":1}}`,
  `{"constructor":{"prototype":{"${POLLUTION_MARKER}":1}}}`,
  `{"__proto__":{"__proto__":{"${POLLUTION_MARKER}":1}}}`,
  `{"prototype":{"${POLLUTION_MARKER}":1}}`,
  `{"__proto__":null}`,
  `{"__proto__":[1,2]}`,
  `{"constructor":"x","hasOwnProperty":1,"toString":"x","valueOf":{}}`,
);

export const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, [1, 2], { a: 1 }),
  pollutingJson.map((text): unknown => JSON.parse(text)),
);

export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: longString, weight: 1 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: numericNonsense, weight: 2 },
  { arbitrary: wrongType, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
);

/**
 * JSON number literals that JSON.parse turns into something a schema may not expect: Infinity,
 * -0, 0, a rounded integer, a float written as an integer.
 */
export const rawNumberLiteral = fc.constantFrom(
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "0e0",
  "-0.0",
  "1.0",
  "1E2",
  "9007199254740993",
  "123456789012345678901234567890",
  "0.1e1",
  "2e-324",
);

/** String literals whose escapes decode to what a JSON encoder would never write: lone halves, NUL. */
export const rawStringLiteral = fc.constantFrom(
  '"\\ud800"',
  '"\\udfff"',
  '"\\udc00\\ud800"',
  '"a\\u0000b"',
  '"\\u0000"',
  '"\\ud83d\\ude00"',
  '"\\u202e\\u2066"',
  '"\\u200b\\u200d\\ufeff"',
  '"main\\u0000"',
  '"MAIN"',
  '" main"',
);

/** Arrays or objects nested `depth` deep: recursion in a validator or serialiser must not blow the stack. */
export const deeplyNestedJson = fc
  .tuple(fc.integer({ min: 1, max: 4000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? "[".repeat(depth) + "]".repeat(depth) : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

/** A JSON text for a value: hostile, raw literals, nesting or pollution payloads. */
export const rawJsonValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostile.map((v) => JSON.stringify(v) ?? "null"), weight: 6 },
  { arbitrary: rawNumberLiteral, weight: 2 },
  { arbitrary: rawStringLiteral, weight: 2 },
  { arbitrary: deeplyNestedJson, weight: 1 },
  { arbitrary: pollutingJson, weight: 2 },
);

/**
 * Plants `"<key>":<payload>` as the first member of a JSON object text, which JSON.stringify of
 * an object literal cannot do (`{__proto__: x}` sets the prototype instead of a key).
 */
export function plantKey(objectText: string, key: string, payload: string): string {
  if (!objectText.startsWith("{")) return objectText;
  const rest = objectText.slice(1);
  return `{${JSON.stringify(key)}:${payload}${rest.startsWith("}") ? "" : ","}${rest}`;
}

// ---- values drawn from a schema -----------------------------------------------------------------

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

/** Values for a field that reach past validation into the services: real names, ids and tokens. */
export type Pool = (field: string) => readonly string[];

export interface SchemaValues {
  /**
   * A value of the schema's shape. With `mix`, any field may instead be hostile, a required one
   * missing or an unknown one added; without, the value is one the services get to see.
   */
  fromSchema(schema: Schema, mix: boolean, field?: string): fc.Arbitrary<unknown>;
  /** A value for one named field: drawn from its schema, or (with `mix`) often hostile. */
  field(schema: Schema, mix: boolean, name: string): fc.Arbitrary<unknown>;
  objectFrom(schema: Schema, mix: boolean): fc.Arbitrary<Record<string, unknown>>;
}

/** The schema walker, with `pool` consulted (when the arbitraries are built) for known fields. */
export function schemaValues(pool: Pool): SchemaValues {
  function fromSchema(schema: Schema, mix: boolean, field = ""): fc.Arbitrary<unknown> {
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((s) => fromSchema(s, mix, field)));
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    const base = ((): fc.Arbitrary<unknown> => {
      switch (type) {
        case "string": {
          const known = pool(field);
          const any = fc.string({
            minLength: schema.minLength ?? 0,
            maxLength: Math.min(schema.maxLength ?? 30, 30),
          });
          return known.length > 0
            ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, { arbitrary: any, weight: 1 })
            : any;
        }
        case "integer":
          return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1_000_000, 1_000_000) });
        case "number":
          return fc.double({ noNaN: true, noDefaultInfinity: true });
        case "boolean":
          return fc.boolean();
        case "array":
          return fc.array(schema.items ? fromSchema(schema.items, mix, field) : fc.jsonValue(), { maxLength: 3 });
        case "object":
          return objectFrom(schema, mix);
        default:
          return fc.jsonValue({ maxDepth: 1 });
      }
    })();
    return schema.nullable ? fc.oneof(base, fc.constant(null)) : base;
  }

  const field = (schema: Schema, mix: boolean, name: string): fc.Arbitrary<unknown> =>
    mix
      ? fc.oneof({ arbitrary: fromSchema(schema, mix, name), weight: 3 }, { arbitrary: hostile, weight: 2 })
      : fromSchema(schema, mix, name);

  function objectFrom(schema: Schema, mix: boolean): fc.Arbitrary<Record<string, unknown>> {
    const entries = Object.entries(schema.properties ?? {});
    const model = Object.fromEntries(entries.map(([name, s]) => [name, field(s, mix, name)]));
    const required = (schema.required ?? []).filter((name) => name in model);
    const record = fc.record(model, { requiredKeys: required });
    if (!mix) return record;
    return fc
      .tuple(record, fc.boolean(), fc.subarray(required, { maxLength: Math.min(1, required.length) }), nastyString)
      .map(([value, extra, drop, key]) => {
        const out: Record<string, unknown> = { ...value };
        for (const name of drop) delete out[name];
        if (extra) out[key] = "extra";
        return out;
      });
  }

  return { fromSchema, field, objectFrom };
}

// ---- encoding hostile values into a request -----------------------------------------------------

/** Percent-encodes UTF-16 code units; a lone surrogate becomes its WTF-8 bytes, which no decoder accepts. */
export function encode(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (/[A-Za-z0-9\-._~]/.test(text[i] ?? "")) out += text[i];
    else if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(text[i] ?? "");
  }
  return out;
}

/**
 * Header values fetch agrees to send: printable Latin-1 without DEL, no whitespace at either end
 * (boundary.test.ts sends control characters over a raw socket).
 */
export const headerValue = fc
  .oneof(
    fc.stringMatching(/^[0-9]{0,20}$/),
    numericNonsense,
    fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
    fc.constant("1".repeat(4000)),
  )
  .map((value) => value.replace(/[^\x20-\x7e\x80-\xff]/g, "").trim());

/**
 * Query keys a parser might turn into a path into Object.prototype (`qs`-style brackets and
 * dots), sent with or without the route's own parameters.
 */
export const pollutingQueryKey = fc.constantFrom(
  "__proto__",
  `__proto__[${POLLUTION_MARKER}]`,
  `__proto__.${POLLUTION_MARKER}`,
  `constructor[prototype][${POLLUTION_MARKER}]`,
  `constructor.prototype.${POLLUTION_MARKER}`,
  "prototype",
  "hasOwnProperty",
  "toString",
);

/** One operation of the server: a method, an OpenAPI-style path (`{name}`) and what it accepts. */
export interface Operation {
  method: string;
  path: string;
  parameters: Array<{ in: string; name: string; required?: boolean; schema: Schema }>;
  body: Schema | undefined;
}

export type CallBody =
  | { kind: "json"; value: unknown }
  | { kind: "raw"; text: string; type: string }
  | { kind: "polluted"; value: unknown; key: string; payload: string }
  | { kind: "none" };

/** One request, before credentials: `Auth` names whose they are (the caller maps it to headers). */
export interface Call<Auth extends string> {
  op: Operation;
  params: Record<string, unknown>;
  query: Array<[string, unknown]>;
  headers: Record<string, string | undefined>;
  body: CallBody;
  auth: Auth;
}

export interface CallAuths<Auth extends string> {
  /** Credentials of the calls the schemas accept (those meant to reach the services). */
  clean: readonly Auth[];
  /** Credentials of the hostile calls: valid, missing and broken ones. */
  hostile: readonly Auth[];
}

/** A call that the schemas accept, so that it reaches the services. */
export function cleanCallOf<Auth extends string>(
  op: Operation,
  values: SchemaValues,
  auths: CallAuths<Auth>,
): fc.Arbitrary<Call<Auth>> {
  const inPart = (part: string) => op.parameters.filter((p) => p.in === part);
  return fc.record({
    op: fc.constant(op),
    params: fc.record(
      Object.fromEntries(inPart("path").map((p) => [p.name, values.fromSchema(p.schema, false, p.name)])),
    ),
    query: fc
      .record(Object.fromEntries(inPart("query").map((p) => [p.name, values.fromSchema(p.schema, false, p.name)])), {
        requiredKeys: [],
      })
      .map((q) => Object.entries(q)),
    headers: fc.constant({}),
    body: op.body
      ? values.fromSchema(op.body, false).map((value): CallBody => ({ kind: "json", value }))
      : fc.constant<CallBody>({ kind: "none" }),
    auth: fc.constantFrom(...auths.clean),
  });
}

/** A call with hostile values anywhere: parameters, query, headers, body, credentials. */
export function hostileCallOf<Auth extends string>(
  op: Operation,
  values: SchemaValues,
  auths: CallAuths<Auth>,
): fc.Arbitrary<Call<Auth>> {
  const inPart = (part: string) => op.parameters.filter((p) => p.in === part);
  const params = fc.record(
    Object.fromEntries(inPart("path").map((p) => [p.name, values.field(p.schema, true, p.name)])),
  );
  const queryKey = fc.oneof(
    { arbitrary: fc.constantFrom(...inPart("query").map((p) => p.name), "unknown"), weight: 6 },
    { arbitrary: pollutingQueryKey, weight: 1 },
  );
  const query = fc.array(
    fc.tuple(queryKey, fc.oneof(...inPart("query").map((p) => values.fromSchema(p.schema, true)), hostile)),
    { maxLength: 4 },
  );
  const headers = fc.record(Object.fromEntries(inPart("header").map((p) => [p.name, headerValue])), {
    requiredKeys: [],
  });
  const shaped = op.body ? values.fromSchema(op.body, true) : hostile;
  const body: fc.Arbitrary<CallBody> = fc.oneof(
    { arbitrary: shaped.map((value): CallBody => ({ kind: "json", value })), weight: 6 },
    { arbitrary: hostile.map((value): CallBody => ({ kind: "json", value })), weight: 1 },
    {
      // The route's own body with a polluting key planted in it: everything else may pass validation.
      arbitrary: fc
        .record({ value: shaped, key: fc.constantFrom(...POLLUTING_KEYS), payload: pollutingJson })
        .map((b): CallBody => ({ kind: "polluted", ...b })),
      weight: 1,
    },
    {
      arbitrary: fc
        .record({
          text: fc.constantFrom("{", "not json", '{"__proto__":{"x":1}}', "\u0000", '{"text":"\\ud800"}', ""),
          type: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
        })
        .map((b): CallBody => ({ kind: "raw", ...b })),
      weight: 1,
    },
    { arbitrary: fc.constant<CallBody>({ kind: "none" }), weight: 1 },
  );
  return fc.record({ op: fc.constant(op), params, query, headers, body, auth: fc.constantFrom(...auths.hostile) });
}

export const callOf = <Auth extends string>(
  op: Operation,
  values: SchemaValues,
  auths: CallAuths<Auth>,
): fc.Arbitrary<Call<Auth>> =>
  fc.oneof(
    { arbitrary: cleanCallOf(op, values, auths), weight: 1 },
    { arbitrary: hostileCallOf(op, values, auths), weight: 2 },
  );

/** A call as HTTP: the target (path and query), headers without credentials, and the body. */
export interface EncodedRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

export function encodeCall<Auth extends string>(call: Call<Auth>): EncodedRequest {
  let target = call.op.path.replace(/\{([\w*]+)\}/g, (_, name: string) => encode(call.params[name]));
  if (call.query.length > 0) target += `?${call.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) if (value !== undefined) headers[name] = value;
  let payload: string | undefined;
  const bodyAllowed = call.op.method !== "GET" && call.op.method !== "HEAD";
  if (bodyAllowed && call.body.kind === "json") {
    payload = JSON.stringify(call.body.value) ?? "null";
    headers["content-type"] = "application/json";
  } else if (bodyAllowed && call.body.kind === "polluted") {
    const text = JSON.stringify(call.body.value) ?? "null";
    payload = plantKey(text, call.body.key, call.body.payload);
    headers["content-type"] = "application/json";
  } else if (bodyAllowed && call.body.kind === "raw") {
    payload = call.body.text;
    headers["content-type"] = call.body.type;
  }
  return { method: call.op.method, target, headers, payload };
}

/** The call, readable in a failure message: long strings are cut. */
export function describeCall<Auth extends string>(call: Call<Auth>): string {
  return JSON.stringify({ ...call, op: `${call.op.method} ${call.op.path}` }, (_key, value: unknown) =>
    typeof value === "string" && value.length > 80 ? `${value.slice(0, 40)}…(${value.length} chars)` : value,
  );
}

// ---- WebSocket frames ---------------------------------------------------------------------------

/**
 * Client frames as JSON texts: mostly an op's own schema filled in (clean or with hostile
 * fields), sometimes with a hostile op, sometimes no frame at all.
 */
export function frameTextOf(
  ops: readonly string[],
  schemaOf: (op: string) => Schema,
  values: SchemaValues,
): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .constantFrom(...ops)
        .chain((op) =>
          fc
            .boolean()
            .chain((mix) => values.objectFrom(schemaOf(op), mix))
            .map((frame) => ({ ...frame, op })),
        )
        .chain((frame) =>
          // Sometimes the op itself is what is wrong.
          fc.oneof(
            { arbitrary: fc.constant(frame), weight: 9 },
            { arbitrary: hostile.map((op) => ({ ...frame, op })), weight: 1 },
          ),
        )
        .map((frame) => JSON.stringify(frame)),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom("", "{", "[]", "null", '"send"', '{"op":"__proto__"}', '{"op":"toString"}'),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
    },
  );
}
