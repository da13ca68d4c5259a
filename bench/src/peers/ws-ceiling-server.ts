/**
 * The "ceiling" peer: the least work a Node process can do to fan chat messages out over
 * WebSocket, and so the bar the Chorus server is measured against. It speaks the subset of
 * the Chorus wire protocol the benchmark uses (docs/protocol.md "WebSocket": auth, subscribe,
 * unsubscribe, send, ping) and nothing else: no persistence, no auth checks (any token is
 * accepted), no rate limits, no history (`since` is not replayed).
 *
 * What makes it the ceiling:
 *  - Messages published during one turn of the event loop are collected per channel and
 *    flushed at `setImmediate`, so a burst costs one frame per subscriber, not one per message.
 *  - Each channel's batch is serialised and framed ONCE per tick (`WebSocket.Sender.frame`,
 *    header and payload concatenated into one Buffer) and that same Buffer is written to the
 *    raw `net.Socket` of every subscriber: no per-subscriber JSON, framing or copying.
 *  - All sockets are corked for the flush and uncorked at its end, so a socket that gets
 *    replies and several channels' batches in one tick gets them in one writev.
 *
 * Every frame this process sends goes through that raw path (replies too), so ws's own
 * sender only ever writes control frames (pong, close). Those are written synchronously
 * (no compression, no Blob data, so ws never queues), and ours are whole frames written
 * synchronously too, so the two can never interleave inside a frame. A socket is written only
 * while ws still calls it OPEN (after ws sent or received a close frame it is CLOSING) and
 * the socket is neither destroyed nor ended.
 *
 * Run as a child: `PORT`, `HOST` (default 127.0.0.1) from the environment; WebSocket at
 * `/api/ws`, `GET /healthz`, `GET /metrics` (Prometheus default process metrics). With
 * `EXIT_WITH_STDIN=1` it exits when its stdin closes, so it never outlives a parent that
 * died without stopping it.
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import * as wsModule from "ws";
import WebSocket, { WebSocketServer } from "ws";
import {
  AUTHOR as AUTHOR_FIELDS,
  createPeerHttpServer,
  isChannelName,
  MAX_PAYLOAD,
  MAX_TEXT,
  runPeer,
  USER,
  WS_PATH,
} from "./peer-common.js";

/**
 * A subscriber that stops reading would otherwise make the process buffer without bound; past
 * this many unsent bytes it is disconnected. Only there so a stuck client cannot crash the peer.
 */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * `Sender.frame` exists in ws 8 (a named export of its ESM wrapper, `WebSocket.Sender` in
 * CommonJS) but @types/ws does not declare it.
 */
interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
type FrameFn = (data: Buffer, options: FrameOptions) => Buffer[];
const frameParts: FrameFn = (() => {
  const sender = (wsModule as unknown as { Sender?: { frame?: FrameFn } }).Sender;
  const frame = sender?.frame;
  if (typeof frame !== "function") throw new Error("ws does not export Sender.frame (ws 8 expected)");
  return frame.bind(sender);
})();
/** A final, unmasked, uncompressed text frame (opcode 1): what a server sends. */
const TEXT_FRAME: FrameOptions = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };

/** One Buffer holding a whole WebSocket text frame whose payload is `json`. */
function textFrame(json: string): Buffer {
  const parts = frameParts(Buffer.from(json, "utf8"), TEXT_FRAME);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

interface Conn {
  readonly ws: WebSocket;
  /** The raw TCP socket ws was handed at upgrade; all our frames are written here. */
  readonly socket: Duplex;
  readonly channels: Set<Channel>;
  /** Author JSON once the connection sent `auth`. */
  author: string | undefined;
  /** Reply frames (JSON) queued this tick; flushed before channel batches. */
  replies: string[];
  corked: boolean;
}

interface Channel {
  readonly name: string;
  readonly nameJson: string;
  /** The last seq handed out (contiguous from 1). */
  seq: number;
  readonly subscribers: Set<Conn>;
  /** Event JSON published this tick, not yet written. */
  pending: string[];
}

const channels = new Map<string, Channel>();
/** Channels with pending events and connections with pending replies, for the next flush. */
const dirtyChannels = new Set<Channel>();
const dirtyConns = new Set<Conn>();
let flushScheduled = false;

const AUTH_OK = JSON.stringify({ op: "auth_ok", user: USER });
const AUTHOR = JSON.stringify(AUTHOR_FIELDS);
const PONG = '{"op":"pong"}';

function channelOf(name: string): Channel {
  let channel = channels.get(name);
  if (!channel) {
    channel = { name, nameJson: JSON.stringify(name), seq: 0, subscribers: new Set(), pending: [] };
    channels.set(name, channel);
  }
  return channel;
}

function schedule(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

function reply(conn: Conn, json: string): void {
  conn.replies.push(json);
  dirtyConns.add(conn);
  schedule();
}

function errorFrame(code: string, message: string, nonce?: string): string {
  return JSON.stringify(nonce === undefined ? { op: "error", code, message } : { op: "error", code, message, nonce });
}

function open(conn: Conn): boolean {
  return conn.ws.readyState === WebSocket.OPEN && !conn.socket.destroyed && conn.socket.writable;
}

/** Writes inside the flush: corks the socket on its first write of this flush. */
function write(conn: Conn, frame: Buffer, corked: Conn[]): void {
  if (!conn.corked) {
    conn.corked = true;
    conn.socket.cork();
    corked.push(conn);
  }
  conn.socket.write(frame);
}

function flush(): void {
  flushScheduled = false;
  const corked: Conn[] = [];
  // Replies first: a `subscribed` must reach its socket before that channel's batch, whose
  // events all come after the seq the `subscribed` announced.
  for (const conn of dirtyConns) {
    const replies = conn.replies;
    conn.replies = [];
    if (open(conn)) write(conn, textFrame(`[${replies.join(",")}]`), corked);
  }
  dirtyConns.clear();
  for (const channel of dirtyChannels) {
    const events = channel.pending;
    channel.pending = [];
    if (channel.subscribers.size === 0) continue;
    const frame = textFrame(`[${events.join(",")}]`);
    for (const conn of channel.subscribers) {
      if (open(conn)) write(conn, frame, corked);
    }
  }
  dirtyChannels.clear();
  for (const conn of corked) {
    conn.corked = false;
    conn.socket.uncork();
  }
  // After the loops: terminating never touches a set being iterated.
  for (const conn of corked) {
    if (conn.socket.writableLength > MAX_BUFFERED_BYTES) conn.ws.terminate();
  }
}

function subscribe(conn: Conn, name: string, since: number | undefined): void {
  const channel = channelOf(name);
  conn.channels.add(channel);
  channel.subscribers.add(conn);
  // The seq announced is the last one already written out: this tick's pending events still
  // go to the new subscriber in the flush, all with larger seqs — no gap, no duplicate.
  const seq = channel.seq - channel.pending.length;
  // No history is kept, so a resume from before `seq` cannot be served.
  const recovered = since === undefined || since >= seq;
  reply(conn, `{"op":"subscribed","channel":${channel.nameJson},"seq":${seq},"recovered":${recovered}}`);
}

function unsubscribe(conn: Conn, name: string): void {
  const channel = channels.get(name);
  if (channel) {
    channel.subscribers.delete(conn);
    conn.channels.delete(channel);
  }
  reply(conn, `{"op":"unsubscribed","channel":${JSON.stringify(name)}}`);
}

function publish(conn: Conn, author: string, name: string, text: string, nonce: string): void {
  const channel = channelOf(name);
  const seq = ++channel.seq;
  const now = Date.now();
  // Built by hand so the message JSON is produced once and shared by the event and the ack;
  // the field order is the Chorus server's (chat-service.ts message, events.ts stampSeq).
  const message = `{"id":"${randomUUID()}","channel":${channel.nameJson},"seq":${seq},"text":${JSON.stringify(text)},"createdAt":${now},"author":${author}}`;
  channel.pending.push(
    `{"op":"event","channel":${channel.nameJson},"seq":${seq},"type":"message","at":${now},"data":${message}}`,
  );
  dirtyChannels.add(channel);
  reply(conn, `{"op":"ack","nonce":${JSON.stringify(nonce)},"message":${message}}`);
}

function onFrame(conn: Conn, raw: string): void {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    reply(conn, errorFrame("invalid_request", "frame is not JSON"));
    return;
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    reply(conn, errorFrame("invalid_request", "frame must be an object"));
    return;
  }
  const f = frame as Record<string, unknown>;
  switch (f["op"]) {
    case "send": {
      const nonce = typeof f["nonce"] === "string" && f["nonce"].length > 0 ? f["nonce"] : undefined;
      const channel = f["channel"];
      const text = typeof f["text"] === "string" ? f["text"].trim() : "";
      if (conn.author === undefined) {
        reply(conn, errorFrame("unauthorized", "send needs auth", nonce));
      } else if (nonce === undefined || !isChannelName(channel) || text.length === 0 || text.length > MAX_TEXT) {
        reply(conn, errorFrame("invalid_request", "send needs channel, text (1-500 chars) and nonce", nonce));
      } else {
        publish(conn, conn.author, channel, text, nonce);
      }
      return;
    }
    case "subscribe": {
      const since = f["since"];
      if (!isChannelName(f["channel"])) reply(conn, errorFrame("invalid_request", "subscribe needs a channel"));
      else if (since !== undefined && (typeof since !== "number" || !Number.isInteger(since) || since < 0)) {
        reply(conn, errorFrame("invalid_request", "since must be a non-negative integer"));
      } else subscribe(conn, f["channel"], since);
      return;
    }
    case "unsubscribe":
      if (!isChannelName(f["channel"])) reply(conn, errorFrame("invalid_request", "unsubscribe needs a channel"));
      else unsubscribe(conn, f["channel"]);
      return;
    case "auth":
      if (typeof f["token"] !== "string") {
        reply(conn, errorFrame("invalid_request", "auth needs a token"));
        return;
      }
      conn.author = AUTHOR;
      reply(conn, AUTH_OK);
      return;
    case "ping":
      reply(conn, PONG);
      return;
    default:
      reply(conn, errorFrame("invalid_request", "unknown op"));
  }
}

function attach(ws: WebSocket, socket: Duplex): void {
  const conn: Conn = { ws, socket, channels: new Set(), author: undefined, replies: [], corked: false };
  ws.on("message", (data, isBinary) => {
    if (isBinary) reply(conn, errorFrame("invalid_request", "frames are text"));
    else onFrame(conn, data.toString());
  });
  // Protocol errors (bad frames, oversize payloads) are reported here; ws closes the socket.
  ws.on("error", () => undefined);
  ws.on("close", () => {
    for (const channel of conn.channels) channel.subscribers.delete(conn);
    conn.channels.clear();
    dirtyConns.delete(conn);
  });
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: MAX_PAYLOAD,
});

const http = createPeerHttpServer();

http.on("upgrade", (req, socket, head) => {
  if ((req.url ?? "").split("?", 1)[0] !== WS_PATH) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => attach(ws, socket));
});

runPeer("ws-ceiling", http);
