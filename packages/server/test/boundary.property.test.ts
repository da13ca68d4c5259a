/**
 * Property: nothing a client sends makes the server fail. Every operation of the server's own
 * OpenAPI document and every WebSocket op of the protocol is called with values drawn from
 * its schema and, mixed in, hostile ones — NUL, lone surrogates, huge/negative/fractional
 * numbers, numeric nonsense in query strings, very long strings, wrong types — in path
 * parameters, query, headers, bodies and frame fields. Throughout:
 *   - no answer is a 5xx, every error has the stable `{error:{code,message}}` body;
 *   - no `{op:"error",code:"internal"}` frame, and a connection closes only for a frame over
 *     the payload limit;
 *   - /healthz stays healthy and the server logs nothing at error level;
 *   - an honest user posting numbered messages with nonces (REST and WebSocket) meanwhile
 *     loses nothing: each acknowledged message is in history exactly once, seqs contiguous
 *     (with the analysis's summary events, which take seqs between the messages).
 * FUZZ_RUNS sets the cases per property (default 300; a nightly run can go far higher),
 * FUZZ_SEED replays a failure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { CLIENT_FRAMES, type ClientOp, isErrorCode, type Message, type ServerFrame } from "@chorus/protocol";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { TEST_ADMIN } from "./harness.js";
import { api, createChannel, postMessage, register, type Session, sleep, uniqueName, WsClient } from "./helpers.js";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 300);
const SEED = process.env["FUZZ_SEED"] === undefined ? undefined : Number(process.env["FUZZ_SEED"]);
const WS_MAX_PAYLOAD = 16 * 1024;

// ---- the server, with its log captured ------------------------------------------------------

interface LogEntry {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

const logged: LogEntry[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split("\n")) if (line.trim()) logged.push(JSON.parse(line) as LogEntry);
    done();
  },
});
const errorsLogged = (): LogEntry[] => logged.filter((e) => e.level >= 50);

let server: RunningServer;
let dataDir: string;
let url: string;
let fuzzer: Session;
let fuzzChannel: string;
const knownIds: string[] = [];

// ---- the honest user --------------------------------------------------------------------------

interface Honest {
  channel: string;
  session: Session;
  acked: Map<string, Message>;
  failures: string[];
  stop: boolean;
  loops: Promise<void>[];
}
let honest: Honest;

async function restSender(h: Honest): Promise<void> {
  for (let i = 1; !h.stop; i++) {
    const text = `rest ${i}`;
    const res = await postMessage(url, h.session, h.channel, text, `rest-${i}`);
    if (res.status === 201) h.acked.set(text, res.body.message);
    else h.failures.push(`${text}: ${res.status} ${res.text}`);
  }
}

async function wsSender(h: Honest): Promise<void> {
  const ws = await WsClient.authed(url, h.session.token);
  try {
    for (let i = 1; !h.stop; i++) {
      const text = `ws ${i}`;
      const reply = await ws.sendMessage(h.channel, text, `ws-${i}`);
      if (reply.op === "ack") h.acked.set(text, reply.message);
      else h.failures.push(`${text}: ${JSON.stringify(reply)}`);
    }
  } finally {
    ws.close();
  }
}

async function fullHistory(channel: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let after = 0; ; ) {
    const res = await api<{ messages: Message[] }>(
      url,
      "GET",
      `/api/channels/${channel}/messages?after=${after}&limit=200`,
    );
    expect(res.status, res.text).toBe(200);
    const page = res.body.messages;
    if (page.length === 0) return all;
    all.push(...page);
    after = Math.max(...page.map((m) => m.seq));
  }
}

// ---- hostile values ---------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Short strings assembled from the pieces that break things: NUL, half pairs, URL syntax. */
const nastyString = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      loneSurrogate,
      fc.constantFrom("\u0000", "main", "😀", "\uD83D", "\uDE00", "%", "%00", "/", "?", "#", "..", " ", "\\", '"'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

const longString = fc.constantFrom("x".repeat(65), "x".repeat(1025), "y".repeat(9000), "\u0000".repeat(300));

const hostileNumber = fc.constantFrom(
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
const numericNonsense = fc.constantFrom(
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
const wrongType = fc.constantFrom<unknown>(
  null,
  true,
  false,
  [],
  {},
  [1, 2],
  { a: 1 },
  JSON.parse('{"__proto__":{"polluted":1}}'),
);

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: longString, weight: 1 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: numericNonsense, weight: 2 },
  { arbitrary: wrongType, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
);

// ---- values drawn from a schema -----------------------------------------------------------------

interface Schema {
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

/** Values that reach past validation into the services: real names, ids and tokens. */
function pool(field: string): string[] {
  switch (field) {
    case "name":
    case "channel":
      return ["main", "MAIN", fuzzChannel, "no_such_channel", "x"];
    case "id":
    case "replyTo":
    case "messageId":
      return [...knownIds.slice(-5), "00000000-0000-0000-0000-000000000000"];
    case "username":
      return [fuzzer.user.username, uniqueName("fz"), "ab", "Admin"];
    case "token":
      return [fuzzer.token, "garbage"];
    case "password":
      return ["correct horse battery", "short"];
    case "action":
      return ["delete", "ban"];
    case "text":
    case "message":
      return ["hello", "  ", "@someone hi", "e\u0301", "😀".repeat(501)];
    default:
      return [];
  }
}

/**
 * A value of the schema's shape. With `mix`, any field may instead be hostile, a required one
 * missing or an unknown one added; without, the value is one the services get to see.
 */
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
        const any = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
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

// ---- encoding hostile values into a request -----------------------------------------------------

/** Percent-encodes UTF-16 code units; a lone surrogate becomes its WTF-8 bytes, which no decoder accepts. */
function encode(value: unknown): string {
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
const headerValue = fc
  .oneof(
    fc.stringMatching(/^[0-9]{0,20}$/),
    numericNonsense,
    fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
    fc.constant("1".repeat(4000)),
  )
  .map((value) => value.replace(/[^\x20-\x7e\x80-\xff]/g, "").trim());

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ in: string; name: string; required?: boolean; schema: Schema }>;
  body: Schema | undefined;
}

interface Call {
  op: Operation;
  params: Record<string, unknown>;
  query: Array<[string, unknown]>;
  headers: Record<string, string | undefined>;
  body: { kind: "json"; value: unknown } | { kind: "raw"; text: string; type: string } | { kind: "none" };
  auth: "none" | "fuzzer" | "bad-bearer" | "bad-cookie";
}

/** Logging out the fuzzer would leave every later case unauthenticated. */
const authsFor = (op: Operation): Call["auth"][] =>
  op.path === "/api/auth/logout"
    ? ["none", "bad-bearer", "bad-cookie"]
    : ["fuzzer", "none", "bad-bearer", "bad-cookie"];

/** A call that the schemas accept, so that it reaches the services. */
function cleanCallOf(op: Operation): fc.Arbitrary<Call> {
  const inPart = (part: string) => op.parameters.filter((p) => p.in === part);
  return fc.record({
    op: fc.constant(op),
    params: fc.record(Object.fromEntries(inPart("path").map((p) => [p.name, fromSchema(p.schema, false, p.name)]))),
    query: fc
      .record(Object.fromEntries(inPart("query").map((p) => [p.name, fromSchema(p.schema, false, p.name)])), {
        requiredKeys: [],
      })
      .map((q) => Object.entries(q)),
    headers: fc.constant({}),
    body: op.body
      ? fromSchema(op.body, false).map((value) => ({ kind: "json" as const, value }))
      : fc.constant({ kind: "none" as const }),
    auth: fc.constantFrom<Call["auth"]>(...(authsFor(op).includes("fuzzer") ? ["fuzzer" as const] : authsFor(op))),
  });
}

/** A call with hostile values anywhere: parameters, query, headers, body, credentials. */
function hostileCallOf(op: Operation): fc.Arbitrary<Call> {
  const inPart = (part: string) => op.parameters.filter((p) => p.in === part);
  const params = fc.record(Object.fromEntries(inPart("path").map((p) => [p.name, field(p.schema, true, p.name)])));
  const query = fc.array(
    fc.tuple(
      fc.constantFrom(...inPart("query").map((p) => p.name), "unknown"),
      fc.oneof(...inPart("query").map((p) => fromSchema(p.schema, true)), hostile),
    ),
    { maxLength: 4 },
  );
  const headers = fc.record(Object.fromEntries(inPart("header").map((p) => [p.name, headerValue])), {
    requiredKeys: [],
  });
  const body: fc.Arbitrary<Call["body"]> = fc.oneof(
    {
      arbitrary: (op.body ? fromSchema(op.body, true) : hostile).map((value) => ({ kind: "json" as const, value })),
      weight: 6,
    },
    { arbitrary: hostile.map((value) => ({ kind: "json" as const, value })), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant("raw" as const),
        text: fc.constantFrom("{", "not json", '{"__proto__":{"x":1}}', "\u0000", '{"text":"\\ud800"}', ""),
        type: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
      }),
      weight: 1,
    },
    { arbitrary: fc.constant({ kind: "none" as const }), weight: 1 },
  );
  return fc.record({ op: fc.constant(op), params, query, headers, body, auth: fc.constantFrom(...authsFor(op)) });
}

const callOf = (op: Operation): fc.Arbitrary<Call> =>
  fc.oneof({ arbitrary: cleanCallOf(op), weight: 1 }, { arbitrary: hostileCallOf(op), weight: 2 });

async function send(call: Call): Promise<{ status: number; text: string; contentType: string }> {
  let target = call.op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(call.params[name]));
  if (call.query.length > 0) target += `?${call.query.map(([k, v]) => `${k}=${encode(v)}`).join("&")}`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) if (value !== undefined) headers[name] = value;
  if (call.auth === "fuzzer") headers["authorization"] = `Bearer ${fuzzer.token}`;
  if (call.auth === "bad-bearer") headers["authorization"] = "Bearer not.a.jwt";
  if (call.auth === "bad-cookie") headers["cookie"] = "chorus_session=%00%ED%A0%80";
  let payload: string | undefined;
  if (call.body.kind === "json" && call.op.method !== "GET" && call.op.method !== "HEAD") {
    payload = JSON.stringify(call.body.value) ?? "null";
    headers["content-type"] = "application/json";
  } else if (call.body.kind === "raw" && call.op.method !== "GET" && call.op.method !== "HEAD") {
    payload = call.body.text;
    headers["content-type"] = call.body.type;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const res = await fetch(`${url}${target}`, {
      method: call.op.method,
      headers,
      body: payload,
      signal: abort.signal,
    });
    const contentType = res.headers.get("content-type") ?? "";
    // An event stream that opened stays open: its status is the answer.
    if (contentType.includes("text/event-stream")) {
      abort.abort();
      return { status: res.status, text: "", contentType };
    }
    return { status: res.status, text: await res.text(), contentType };
  } finally {
    clearTimeout(timer);
  }
}

/** The call, readable in a failure message: long strings are cut. */
function describeCall(call: Call): string {
  return JSON.stringify({ ...call, op: `${call.op.method} ${call.op.path}` }, (_key, value: unknown) =>
    typeof value === "string" && value.length > 80 ? `${value.slice(0, 40)}…(${value.length} chars)` : value,
  );
}

function checkAnswer(call: Call, res: { status: number; text: string; contentType: string }): void {
  const what = `${describeCall(call)} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  if (res.status < 400) return;
  expect(res.contentType, what).toContain("application/json");
  const body = JSON.parse(res.text) as Record<string, unknown> & { error?: { code?: unknown; message?: unknown } };
  expect(isErrorCode(body.error?.code), what).toBe(true);
  expect(typeof body.error?.message, what).toBe("string");
}

async function expectHealthy(): Promise<void> {
  const res = await api<{ ok: boolean }>(url, "GET", "/healthz", { timeoutMs: 5_000 });
  expect(res.status, res.text).toBe(200);
  expect(res.body.ok).toBe(true);
}

// ---- WebSocket frames ---------------------------------------------------------------------------

const OPS = Object.keys(CLIENT_FRAMES) as ClientOp[];

const frameArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(...OPS)
      .chain((op) =>
        fc
          .boolean()
          .chain((mix) => objectFrom(CLIENT_FRAMES[op] as unknown as Schema, mix))
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

class FuzzSocket {
  client!: WsClient;
  readonly internal: ServerFrame[] = [];
  readonly unexpectedCloses: string[] = [];
  /** Frames that got past validation into the services (acks, subscriptions). */
  reached = 0;
  constructor(private readonly token: string | null) {}

  async open(): Promise<void> {
    this.client = this.token === null ? await WsClient.connect(url) : await WsClient.authed(url, this.token);
  }

  /** Sends one frame; a frame over the payload limit must close the socket (1009), nothing else may. */
  async send(raw: string): Promise<void> {
    const oversized = Buffer.byteLength(raw) > WS_MAX_PAYLOAD;
    this.client.send(raw);
    if (oversized) {
      const closed = await Promise.race([this.client.closed, sleep(5_000).then(() => null)]);
      if (closed?.code !== 1009) this.unexpectedCloses.push(`oversized frame answered ${JSON.stringify(closed)}`);
      this.collect();
      await this.open();
    } else if (!this.client.isOpen) {
      this.unexpectedCloses.push(`closed after ${raw.slice(0, 200)}: ${JSON.stringify(await this.client.closed)}`);
      this.collect();
      await this.open();
    }
  }

  /** Waits until the server has handled everything sent so far (frames of a connection are handled in order). */
  async settle(): Promise<void> {
    if (this.client.isOpen) await this.client.ping(10_000);
  }

  collect(): void {
    for (const frame of this.client.frames.splice(0)) {
      if (frame.op === "error" && frame.code === "internal") this.internal.push(frame);
      if (frame.op === "ack" || frame.op === "subscribed") this.reached++;
    }
  }

  close(): void {
    this.collect();
    this.client.close();
  }
}

// ---- the run ------------------------------------------------------------------------------------

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "chorus-fuzz-"));
  const base = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    AUTH_PER_MINUTE: "1000000",
    WEB_DIST_DIR: path.join(dataDir, "no-web"),
  });
  const config = {
    ...base,
    dataDir,
    // The limits are not under test here: the fuzzer must reach the code behind them.
    limits: {
      ...base.limits,
      framesPerMinute: 1_000_000,
      messagesPerWindow: 1_000_000,
      privilegedMessagesPerWindow: 1_000_000,
    },
  };
  server = await startServer(config, pino({ level: "warn" }, logSink));
  url = server.url;
  fuzzer = await register(url, "fuzzer");
  fuzzChannel = await createChannel(url, fuzzer, "fuzz");
  for (const channel of ["main", fuzzChannel]) {
    const res = await postMessage(url, fuzzer, channel, "a message to reply to and delete");
    knownIds.push(res.body.message.id);
  }
  const session = await register(url, "honest");
  honest = {
    channel: await createChannel(url, session, "honest"),
    session,
    acked: new Map(),
    failures: [],
    stop: false,
    loops: [],
  };
  honest.loops = [restSender(honest), wsSender(honest)];
});

afterAll(async () => {
  if (honest) honest.stop = true;
  await Promise.allSettled(honest?.loops ?? []);
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("boundary: hostile input never fails the server", () => {
  it(`every OpenAPI operation, ${RUNS} cases: no 5xx, stable error bodies, healthy throughout`, async () => {
    const doc = (
      await api<{
        paths: Record<
          string,
          Record<
            string,
            { parameters?: Operation["parameters"]; requestBody?: { content?: Record<string, { schema: Schema }> } }
          >
        >;
      }>(url, "GET", "/openapi.json")
    ).body;
    const operations: Operation[] = [];
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations.push({
          method: method.toUpperCase(),
          path: p,
          parameters: op.parameters ?? [],
          body: op.requestBody?.content?.["application/json"]?.schema,
        });
      }
    }
    // Guard against walking an empty or truncated document.
    expect(operations.length).toBeGreaterThan(25);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toContain("POST /api/channels/{name}/messages");

    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations).chain(callOf), async (call) => {
        const res = await send(call);
        checkAnswer(call, res);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (++cases % 50 === 0) await expectHealthy();
      }),
      { numRuns: RUNS, seed: SEED },
    );
    await expectHealthy();
    expect(errorsLogged(), JSON.stringify(errorsLogged()).slice(0, 2000)).toEqual([]);
    // The walk must reach the services, not only bounce off validation.
    const succeeded = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
    expect(succeeded, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 20);
  }, 600_000);

  it(`every WebSocket op, ${RUNS} frames: no internal error frame, no unexpected close`, async () => {
    const sockets = [new FuzzSocket(null), new FuzzSocket(fuzzer.token)];
    for (const socket of sockets) await socket.open();
    try {
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: sockets.length - 1 }), frameArb, async (which, raw) => {
          const socket = sockets[which] as FuzzSocket;
          await socket.send(raw);
          if (++cases % 25 === 0) {
            for (const s of sockets) await s.settle();
            await expectHealthy();
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
      // Sends are pipelined past the ping; give their acks (or errors) time to land.
      for (const s of sockets) await s.settle();
      await sleep(300);
    } finally {
      for (const s of sockets) s.close();
    }
    for (const s of sockets) {
      expect(s.internal).toEqual([]);
      expect(s.unexpectedCloses).toEqual([]);
    }
    expect(sockets.reduce((n, s) => n + s.reached, 0)).toBeGreaterThan(RUNS / 50);
    await expectHealthy();
    expect(errorsLogged(), JSON.stringify(errorsLogged()).slice(0, 2000)).toEqual([]);
  }, 600_000);

  it("the honest user lost nothing: every acknowledged message is in history once, seqs contiguous", async () => {
    honest.stop = true;
    await Promise.all(honest.loops);
    expect(honest.failures).toEqual([]);
    expect(honest.acked.size).toBeGreaterThan(10);
    const history = await fullHistory(honest.channel);
    // Nothing but the honest user's messages: the fuzzer never learns this channel's name.
    expect(history.map((m) => m.text).sort()).toEqual([...honest.acked.keys()].sort());
    expect(new Set(history.map((m) => m.id)).size).toBe(history.length);
    for (const message of history) expect(honest.acked.get(message.text)?.id).toBe(message.id);
    // The channel's log holds the messages and, between them, the analysis's summaries (a
    // hostile input went through the analyser too): together, no seq is missing.
    const summaries = await api<{ summaries: Array<{ seq: number }> }>(
      url,
      "GET",
      `/api/channels/${honest.channel}/summaries?limit=100`,
    );
    expect(summaries.status).toBe(200);
    const lastMessage = history.at(-1)?.seq ?? 0;
    const seqs = [...history.map((m) => m.seq), ...summaries.body.summaries.map((e) => e.seq)]
      .filter((seq) => seq <= lastMessage)
      .sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    expect(errorsLogged()).toEqual([]);
  });
});
