/**
 * The socket.io 4 peer, doing what a socket.io chat server idiomatically does: clients
 * `join` a room, a publisher emits `chat` with an ack, and the server broadcasts with
 * `io.to(room).emit("message", msg)` (socket.io encodes a broadcast once and writes it to
 * every member). WebSocket transport only, no compression, default adapter.
 *
 * Run as a forked child: `PORT` and `HOST` (loopback) from the environment; `GET /readyz`
 * answers 200 once listening; the process exits when its parent's IPC channel closes.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "socket.io";
import type { PeerAuthor, PeerClientToServer, PeerMessage, PeerServerToClient } from "./socketio-protocol.js";

const port = Number(process.env["PORT"] ?? "0");
const host = process.env["HOST"] ?? "127.0.0.1";
const MAX_TEXT = 500;
const ROOM_RE = /^[a-z0-9_]{1,25}$/;

const http = createServer((req, res) => {
  if (req.url === "/readyz" || req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server<PeerClientToServer, PeerServerToClient>(http, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
});

const seqByRoom = new Map<string, number>();

function authorOf(auth: unknown): PeerAuthor {
  const raw = typeof auth === "object" && auth !== null ? (auth as Record<string, unknown>)["username"] : undefined;
  const username = typeof raw === "string" && /^[a-z0-9_]{3,25}$/.test(raw) ? raw : "anonymous";
  return {
    id: username,
    username,
    displayName: username,
    color: "#8a2be2",
    role: "viewer",
    badges: [],
    platform: "chorus",
  };
}

io.on("connection", (socket) => {
  const author = authorOf(socket.handshake.auth);

  socket.on("join", (room, ack) => {
    if (typeof room !== "string" || !ROOM_RE.test(room) || typeof ack !== "function") return;
    void socket.join(room);
    ack({ seq: seqByRoom.get(room) ?? 0 });
  });

  socket.on("chat", (payload, ack) => {
    if (typeof ack !== "function") return;
    const room = typeof payload === "object" && payload !== null ? payload.room : undefined;
    const text = typeof payload === "object" && payload !== null ? payload.text : undefined;
    if (typeof room !== "string" || !ROOM_RE.test(room) || typeof text !== "string") {
      ack({ ok: false, code: "invalid_request" });
      return;
    }
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_TEXT) {
      ack({ ok: false, code: "invalid_request" });
      return;
    }
    const seq = (seqByRoom.get(room) ?? 0) + 1;
    seqByRoom.set(room, seq);
    const message: PeerMessage = {
      id: randomUUID(),
      channel: room,
      seq,
      text: trimmed,
      createdAt: Date.now(),
      author,
    };
    io.to(room).emit("message", message);
    ack({ ok: true, message });
  });
});

http.listen(port, host, () => {
  process.send?.({ type: "listening", port });
});

function shutdown(): void {
  io.close();
  http.close();
  process.exit(0);
}

process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
// Never outlive the benchmark that forked us.
process.on("disconnect", shutdown);
