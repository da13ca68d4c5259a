/**
 * Small clients for the integration tests: REST calls, a WebSocket client that collects
 * every frame the server sends (server messages are JSON arrays of frames), and an SSE
 * reader that parses `id:` / `event:` / `data:` blocks. Everything waits with a deadline, so a
 * missing frame fails the test with a message instead of hanging it.
 */
import { randomBytes } from "node:crypto";
import type { ChannelEvent, ErrorBody, EventType, Message, ServerFrame, User } from "@chorus/protocol";
import WebSocket from "ws";
import { TEST_ADMIN } from "./harness.js";

// ---- names and timing -------------------------------------------------------------------

let counter = 0;

/** A fresh lower-case name matching ^[a-z0-9_]{3,25}$: `prefix_<counter><random>`. */
export function uniqueName(prefix: string): string {
  counter++;
  const suffix = `${counter.toString(36)}${randomBytes(4).toString("hex")}`;
  return `${prefix.slice(0, 25 - suffix.length - 1)}_${suffix}`.toLowerCase();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

// ---- REST ---------------------------------------------------------------------------------

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `error` is present on error answers. */
  body: T & Partial<ErrorBody>;
  text: string;
}

export interface ApiOptions {
  token?: string | undefined;
  /** A JSON value to send; use `raw` for bytes that are not JSON. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Abort the request after this many ms (the call then rejects with a TimeoutError). */
  timeoutMs?: number;
}

export async function api<T = object>(
  base: string,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined && headers["content-type"] === undefined) headers["content-type"] = "application/json";
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const res = await fetch(`${base}${path}`, { method, headers, body: payload, signal });
  const text = await res.text();
  let body: unknown = {};
  if (text.length > 0 && (res.headers.get("content-type") ?? "").includes("json")) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T & Partial<ErrorBody>, text };
}

export interface Session {
  user: User;
  token: string;
  /** The `name=value` part of the session cookie the server set. */
  cookie: string;
}

function sessionFrom(res: ApiResponse<{ user: User; token: string }>, what: string): Session {
  if (res.status !== 201 && res.status !== 200) throw new Error(`${what} failed: ${res.status} ${res.text}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  return { user: res.body.user, token: res.body.token, cookie };
}

export async function register(base: string, prefix = "user", password = "correct horse battery"): Promise<Session> {
  const username = uniqueName(prefix);
  return sessionFrom(
    await api(base, "POST", "/api/auth/register", { body: { username, password } }),
    `register ${username}`,
  );
}

export async function guest(base: string, prefix = "guest"): Promise<Session> {
  const username = uniqueName(prefix);
  return sessionFrom(await api(base, "POST", "/api/auth/guest", { body: { username } }), `guest ${username}`);
}

export async function loginAdmin(base: string): Promise<Session> {
  return sessionFrom(await api(base, "POST", "/api/auth/login", { body: TEST_ADMIN }), "admin login");
}

/** A fresh channel owned by `owner`, so that a test sees only its own seqs. */
export async function createChannel(base: string, owner: Session, prefix = "chan"): Promise<string> {
  const name = uniqueName(prefix);
  const res = await api(base, "POST", "/api/channels", { token: owner.token, body: { name } });
  if (res.status !== 201) throw new Error(`create channel ${name} failed: ${res.status} ${res.text}`);
  return name;
}

export async function postMessage(
  base: string,
  session: Session,
  channel: string,
  text: string,
  nonce?: string,
): Promise<ApiResponse<{ message: Message }>> {
  return api<{ message: Message }>(base, "POST", `/api/channels/${channel}/messages`, {
    token: session.token,
    body: nonce === undefined ? { text } : { text, nonce },
  });
}

export async function history(base: string, channel: string, query = ""): Promise<Message[]> {
  const res = await api<{ messages: Message[] }>(base, "GET", `/api/channels/${channel}/messages${query}`);
  if (res.status !== 200) throw new Error(`history of ${channel} failed: ${res.status} ${res.text}`);
  return res.body.messages;
}

// ---- WebSocket ----------------------------------------------------------------------------

export type FrameOf<K extends ServerFrame["op"]> = Extract<ServerFrame, { op: K }>;
export type EventOf<T extends EventType> = Extract<ChannelEvent, { type: T }>;

export function wsUrl(base: string): string {
  return `${base.replace(/^http/, "ws")}/api/ws`;
}

export interface WsConnectOptions {
  headers?: Record<string, string>;
}

/** A WebSocket client that records every frame and every server message it receives. */
export class WsClient {
  /** Every frame, in arrival order (each server message is flattened). */
  readonly frames: ServerFrame[] = [];
  /** Every server message as it arrived (raw text), to check the array-of-frames shape. */
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();
  private nonceCounter = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data, isBinary) => {
      const text = isBinary ? "<binary>" : data.toString();
      this.raw.push(text);
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new Error(`server message is not a JSON array: ${text}`);
      for (const frame of parsed) this.frames.push(frame as ServerFrame);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters) wake();
      });
    });
  }

  static connect(base: string, options: WsConnectOptions = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl(base), { headers: options.headers ?? {} });
      const client = new WsClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) => reject(new UpgradeRejected(res.statusCode ?? 0)));
    });
  }

  /** Connects, authenticates with `{op:"auth"}` and waits for `auth_ok`. */
  static async authed(base: string, token: string): Promise<WsClient> {
    const client = await WsClient.connect(base);
    const mark = client.mark();
    client.send({ op: "auth", token });
    await client.waitForOp("auth_ok", () => true, mark);
    return client;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The index the next frame will have: pass it to the waiters to look only at later frames. */
  mark(): number {
    return this.frames.length;
  }

  send(frame: object | string): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  nextNonce(): string {
    this.nonceCounter++;
    return `n${this.nonceCounter}-${randomBytes(4).toString("hex")}`;
  }

  /** The first frame at or after `from` that matches, waiting for it if needed. */
  waitFor(
    predicate: (frame: ServerFrame) => boolean,
    from = 0,
    what = "a frame",
    timeoutMs = 5_000,
  ): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.frames.length; i++) {
          const frame = this.frames[i];
          if (frame !== undefined && predicate(frame)) {
            done();
            resolve(frame);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(from)).slice(0, 2000)}`,
          ),
        );
      }, timeoutMs);
      const wake = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
      check();
    });
  }

  async waitForOp<K extends ServerFrame["op"]>(
    op: K,
    predicate: (frame: FrameOf<K>) => boolean = () => true,
    from = 0,
    timeoutMs = 5_000,
  ): Promise<FrameOf<K>> {
    const frame = await this.waitFor((f) => f.op === op && predicate(f as FrameOf<K>), from, `op "${op}"`, timeoutMs);
    return frame as FrameOf<K>;
  }

  async waitForEvent<T extends EventType>(
    type: T,
    predicate: (event: EventOf<T>) => boolean = () => true,
    from = 0,
    timeoutMs = 5_000,
  ): Promise<EventOf<T>> {
    const frame = await this.waitFor(
      (f) => f.op === "event" && f.type === type && predicate(f as EventOf<T>),
      from,
      `event "${type}"`,
      timeoutMs,
    );
    return frame as EventOf<T>;
  }

  /** Subscribes and waits for the `subscribed` frame of that channel. */
  async subscribe(channel: string, since?: number): Promise<FrameOf<"subscribed">> {
    const mark = this.mark();
    this.send(since === undefined ? { op: "subscribe", channel } : { op: "subscribe", channel, since });
    return this.waitForOp("subscribed", (f) => f.channel === channel, mark);
  }

  /** Sends over WebSocket and waits for the matching ack, held or error. */
  async sendMessage(
    channel: string,
    text: string,
    nonce = this.nextNonce(),
  ): Promise<FrameOf<"ack"> | FrameOf<"error"> | FrameOf<"held">> {
    const mark = this.mark();
    this.send({ op: "send", channel, text, nonce });
    const frame = await this.waitFor(
      (f) => (f.op === "ack" || f.op === "error" || f.op === "held") && f.nonce === nonce,
      mark,
      `ack for ${nonce}`,
    );
    return frame as FrameOf<"ack"> | FrameOf<"error"> | FrameOf<"held">;
  }

  /** Logged `message` events of a channel received so far, in arrival order. */
  messageEvents(channel: string, from = 0): Array<EventOf<"message">> {
    return this.frames
      .slice(from)
      .filter((f): f is EventOf<"message"> => f.op === "event" && f.type === "message" && f.channel === channel);
  }

  /** Every logged event (anything with a seq) of a channel received so far. */
  loggedEvents(channel: string, from = 0): Array<Extract<ChannelEvent, { seq: number }>> {
    return this.frames
      .slice(from)
      .filter(
        (f): f is Extract<ChannelEvent, { seq: number }> =>
          f.op === "event" && f.channel === channel && "seq" in f && typeof f.seq === "number",
      );
  }

  async ping(timeoutMs = 5_000): Promise<void> {
    const mark = this.mark();
    this.send({ op: "ping" });
    await this.waitForOp("pong", () => true, mark, timeoutMs);
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)
      this.socket.close();
  }
}

export class UpgradeRejected extends Error {
  constructor(readonly status: number) {
    super(`websocket upgrade rejected with HTTP ${status}`);
  }
}

// ---- Server-Sent Events -------------------------------------------------------------------

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Reads a `text/event-stream` response and parses it into events (comments are counted, not kept). */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  ended = false;
  private buffer = "";
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {}

  static async open(base: string, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(`${base}${path}`, {
      headers: { accept: "text/event-stream", ...headers },
      signal: abort.signal,
    });
    const client = new SseClient(response, abort);
    if (response.ok && response.body) void client.pump(response.body);
    return client;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk, { stream: true });
        this.parse();
      }
    } catch {
      // Aborted by close(), or the server cut the stream.
    }
    this.ended = true;
    for (const wake of this.waiters) wake();
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end === -1) break;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | undefined;
      let event = "message";
      const data: string[] = [];
      let onlyComments = true;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        onlyComments = false;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "id") id = value;
        else if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (onlyComments) {
        this.comments++;
        continue;
      }
      this.events.push({ id, event, data: data.join("\n") });
    }
    for (const wake of this.waiters) wake();
  }

  mark(): number {
    return this.events.length;
  }

  waitFor(
    predicate: (event: SseEvent) => boolean,
    from = 0,
    what = "an SSE event",
    timeoutMs = 5_000,
  ): Promise<SseEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        for (let i = from; i < this.events.length; i++) {
          const event = this.events[i];
          if (event !== undefined && predicate(event)) {
            done();
            resolve(event);
            return;
          }
        }
        if (this.ended) {
          done();
          reject(
            new Error(
              `SSE stream ended while waiting for ${what}; events: ${JSON.stringify(this.events.slice(from)).slice(0, 2000)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; events: ${JSON.stringify(this.events.slice(from)).slice(0, 2000)}`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Parsed envelopes of the logged events (those with an `id:`) received so far. */
  logged(from = 0): Array<{ id: number; event: string; envelope: ChannelEvent }> {
    return this.events
      .slice(from)
      .filter((e) => e.id !== undefined)
      .map((e) => ({ id: Number(e.id), event: e.event, envelope: JSON.parse(e.data) as ChannelEvent }));
  }

  /** Waits until logged events reach `seq` (by `id:`). */
  async waitForSeq(seq: number, timeoutMs = 5_000): Promise<void> {
    await this.waitFor((e) => e.id !== undefined && Number(e.id) >= seq, 0, `SSE id ${seq}`, timeoutMs);
  }

  close(): void {
    this.abort.abort();
  }
}

/** `[from, from+1, …, to]`. */
export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
