/**
 * Target: the socket.io 4 peer (`peers/socketio-server.ts`) in its own process, reached with
 * socket.io-client over the WebSocket transport only. Every subscriber gets its own
 * connection (`forceNew`), which is what separate browsers would have.
 */
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { nowMs } from "../payload.js";
import type { PeerClientToServer, PeerServerToClient } from "../peers/socketio-protocol.js";
import { captureOutput, forkTs, freePort, LOOPBACK, ROOT, stopChild, waitForHttpOk } from "../processes.js";
import type {
  ChannelPublisher,
  ClientSpec,
  Publisher,
  RunningTarget,
  Subscriber,
  SubscriberEvents,
  TargetDefinition,
} from "./types.js";

type PeerSocket = Socket<PeerServerToClient, PeerClientToServer>;
type SocketIoSpec = Extract<ClientSpec, { kind: "socketio" }>;

const ROOM = "main";
const READY_TIMEOUT_MS = 30_000;

function connect(url: string, auth: Record<string, string>): PeerSocket {
  return io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 10_000,
    auth,
  });
}

export const socketIoTarget: TargetDefinition = {
  name: "socketio",
  label: "socket.io 4 (io.to(room).emit)",
  async start(signal: AbortSignal): Promise<RunningTarget> {
    const port = await freePort();
    const child = forkTs(join(ROOT, "bench/src/peers/socketio-server.ts"), {
      ...process.env,
      PORT: String(port),
      HOST: LOOPBACK,
    });
    const logTail = captureOutput(child);
    const base = `http://${LOOPBACK}:${port}`;
    try {
      await waitForHttpOk(`${base}/readyz`, READY_TIMEOUT_MS, child, signal);
    } catch (err) {
      await stopChild(child);
      throw err;
    }
    return {
      name: "socketio",
      pid: child.pid ?? -1,
      client: { kind: "socketio", url: base, room: ROOM },
      connectPublisher: () => connectPublisher(base),
      connectChannelPublisher: () => connectChannelPublisher(base),
      logTail,
      stop: () => stopChild(child),
    };
  },
};

async function connectPublisher(url: string): Promise<Publisher> {
  const publisher = await connectChannelPublisher(url);
  return { send: (text, nonce, done) => publisher.send(ROOM, text, nonce, done), close: () => publisher.close() };
}

function connectChannelPublisher(url: string): Promise<ChannelPublisher> {
  return new Promise((resolve, reject) => {
    const socket = connect(url, { username: "bench_admin" });
    socket.once("connect_error", (err) => {
      socket.close();
      reject(new Error(`socket.io publisher: ${err.message}`));
    });
    socket.once("connect", () => {
      resolve({
        send(room, text, nonce, done) {
          socket.emit("chat", { room, text, nonce }, (reply) => {
            done(reply.ok ? { ok: true, seq: reply.message.seq } : { ok: false, code: reply.code });
          });
        },
        close: () => socket.close(),
      });
    });
  });
}

/** Connects one subscriber and joins the room; resolves once the join is acknowledged. */
export function connectSocketIoSubscriber(
  spec: SocketIoSpec,
  events: SubscriberEvents,
  timeoutMs: number,
): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = connect(spec.url, {});
    let joined = false;
    let closing = false;
    const fail = (reason: string) => {
      clearTimeout(timer);
      socket.close();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail("join timeout"), timeoutMs);
    socket.on("message", (message) => {
      const receivedAtMs = nowMs();
      events.logged(message.seq);
      events.message(message.text, receivedAtMs);
    });
    socket.once("connect_error", (err) => fail(`connect_error: ${err.message}`));
    socket.on("disconnect", (reason) => {
      if (joined && !closing) events.problem(`disconnect:${reason}`);
    });
    socket.once("connect", () => {
      socket.emit("join", spec.room, (reply) => {
        clearTimeout(timer);
        joined = true;
        events.subscribed(reply.seq);
        resolve({
          close: () => {
            closing = true;
            socket.close();
          },
        });
      });
    });
  });
}
