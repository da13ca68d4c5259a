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
import {
  type Call,
  type CallAuths,
  callOf,
  describeCall,
  encodeCall,
  frameTextOf,
  type Operation,
  type Schema,
  schemaValues,
} from "../fuzz/generators.js";
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

// ---- hostile values and the calls made of them (fuzz/generators.ts) -----------------------------

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

const values = schemaValues(pool);

type Auth = "none" | "fuzzer" | "bad-bearer" | "bad-cookie";

/** Logging out the fuzzer would leave every later case unauthenticated. */
const authsFor = (op: Operation): CallAuths<Auth> =>
  op.path === "/api/auth/logout"
    ? { clean: ["none", "bad-bearer", "bad-cookie"], hostile: ["none", "bad-bearer", "bad-cookie"] }
    : { clean: ["fuzzer"], hostile: ["fuzzer", "none", "bad-bearer", "bad-cookie"] };

async function send(call: Call<Auth>): Promise<{ status: number; text: string; contentType: string }> {
  const { target, headers, payload } = encodeCall(call);
  if (call.auth === "fuzzer") headers["authorization"] = `Bearer ${fuzzer.token}`;
  if (call.auth === "bad-bearer") headers["authorization"] = "Bearer not.a.jwt";
  if (call.auth === "bad-cookie") headers["cookie"] = "chorus_session=%00%ED%A0%80";
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

function checkAnswer(call: Call<Auth>, res: { status: number; text: string; contentType: string }): void {
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

const frameArb = frameTextOf(OPS, (op) => CLIENT_FRAMES[op as ClientOp] as unknown as Schema, values);

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
      fc.asyncProperty(
        fc.constantFrom(...operations).chain((op) => callOf(op, values, authsFor(op))),
        async (call) => {
          const res = await send(call);
          checkAnswer(call, res);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (++cases % 50 === 0) await expectHealthy();
        },
      ),
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
