/**
 * The naive `ws` peer: a chat server written the way most people write one with the `ws`
 * library — on every published message, build the event JSON once and `ws.send` it to each
 * subscriber of the channel, one WebSocket message per subscriber per chat message. It
 * speaks the subset of the Chorus wire protocol the benchmark uses (docs/protocol.md "WebSocket":
 * auth, subscribe, unsubscribe, send, ping; every server message is a JSON array of frames).
 * No persistence, no auth checks (any token is accepted), no history (`since` is not
 * replayed), no compression.
 *
 * Run as a child: `PORT`, `HOST` (default 127.0.0.1) from the environment; WebSocket at
 * `/api/ws`, `GET /healthz`, `GET /metrics` (Prometheus default process metrics). With
 * `EXIT_WITH_STDIN=1` it exits when its stdin closes, so it never outlives a parent that
 * died without stopping it.
 */
import { randomUUID } from "node:crypto";
import WebSocket, { WebSocketServer } from "ws";
import {
  AUTHOR,
  createPeerHttpServer,
  isChannelName,
  MAX_PAYLOAD,
  MAX_TEXT,
  runPeer,
  USER,
  WS_PATH,
} from "./peer-common.js";

interface Channel {
  readonly name: string;
  /** The last seq handed out (contiguous from 1). */
  seq: number;
  readonly subscribers: Set<WebSocket>;
}

interface Conn {
  readonly ws: WebSocket;
  readonly channels: Set<Channel>;
  authed: boolean;
}

const channels = new Map<string, Channel>();

function channelOf(name: string): Channel {
  let channel = channels.get(name);
  if (!channel) {
    channel = { name, seq: 0, subscribers: new Set() };
    channels.set(name, channel);
  }
  return channel;
}

/** Sends one server message (a JSON array of frames), if the socket is still open. */
function send(ws: WebSocket, frames: unknown[]): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frames));
}

function sendError(ws: WebSocket, code: string, message: string, nonce?: string): void {
  send(ws, [nonce === undefined ? { op: "error", code, message } : { op: "error", code, message, nonce }]);
}

function publish(ws: WebSocket, name: string, text: string, nonce: string): void {
  const channel = channelOf(name);
  const seq = ++channel.seq;
  const now = Date.now();
  // Field order as the Chorus server's (chat-service.ts message, events.ts stampSeq).
  const message = { id: randomUUID(), channel: name, seq, text, createdAt: now, author: AUTHOR };
  const data = JSON.stringify([{ op: "event", channel: name, seq, type: "message", at: now, data: message }]);
  for (const subscriber of channel.subscribers) {
    if (subscriber.readyState === WebSocket.OPEN) subscriber.send(data);
  }
  send(ws, [{ op: "ack", nonce, message }]);
}

function onFrame(conn: Conn, raw: string): void {
  const { ws } = conn;
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    sendError(ws, "invalid_request", "frame is not JSON");
    return;
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    sendError(ws, "invalid_request", "frame must be an object");
    return;
  }
  const f = frame as Record<string, unknown>;
  switch (f["op"]) {
    case "send": {
      const nonce = typeof f["nonce"] === "string" && f["nonce"].length > 0 ? f["nonce"] : undefined;
      const channel = f["channel"];
      const text = typeof f["text"] === "string" ? f["text"].trim() : "";
      if (!conn.authed) sendError(ws, "unauthorized", "send needs auth", nonce);
      else if (nonce === undefined || !isChannelName(channel) || text.length === 0 || text.length > MAX_TEXT) {
        sendError(ws, "invalid_request", "send needs channel, text (1-500 chars) and nonce", nonce);
      } else publish(ws, channel, text, nonce);
      return;
    }
    case "subscribe": {
      const name = f["channel"];
      const since = f["since"];
      if (!isChannelName(name)) sendError(ws, "invalid_request", "subscribe needs a channel");
      else if (since !== undefined && (typeof since !== "number" || !Number.isInteger(since) || since < 0)) {
        sendError(ws, "invalid_request", "since must be a non-negative integer");
      } else {
        const channel = channelOf(name);
        channel.subscribers.add(ws);
        conn.channels.add(channel);
        // No history is kept, so a resume from before the latest seq cannot be served.
        const recovered = since === undefined || since >= channel.seq;
        send(ws, [{ op: "subscribed", channel: name, seq: channel.seq, recovered }]);
      }
      return;
    }
    case "unsubscribe": {
      const name = f["channel"];
      if (!isChannelName(name)) {
        sendError(ws, "invalid_request", "unsubscribe needs a channel");
        return;
      }
      const channel = channels.get(name);
      if (channel) {
        channel.subscribers.delete(ws);
        conn.channels.delete(channel);
      }
      send(ws, [{ op: "unsubscribed", channel: name }]);
      return;
    }
    case "auth":
      if (typeof f["token"] !== "string") {
        sendError(ws, "invalid_request", "auth needs a token");
        return;
      }
      conn.authed = true;
      send(ws, [{ op: "auth_ok", user: USER }]);
      return;
    case "ping":
      send(ws, [{ op: "pong" }]);
      return;
    default:
      sendError(ws, "invalid_request", "unknown op");
  }
}

const http = createPeerHttpServer();

const wss = new WebSocketServer({ server: http, path: WS_PATH, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });

wss.on("connection", (ws) => {
  const conn: Conn = { ws, channels: new Set(), authed: false };
  ws.on("message", (data, isBinary) => {
    if (isBinary) sendError(ws, "invalid_request", "frames are text");
    else onFrame(conn, data.toString());
  });
  // Protocol errors (bad frames, oversize payloads) are reported here; ws closes the socket.
  ws.on("error", () => undefined);
  ws.on("close", () => {
    for (const channel of conn.channels) channel.subscribers.delete(ws);
    conn.channels.clear();
  });
});

runPeer("ws-naive", http, () => wss.close());
