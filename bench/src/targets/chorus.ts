/**
 * Target: the Chorus server in embedded mode (no REDIS_URL / DATABASE_URL), started exactly
 * as an operator would (`node --import tsx packages/server/src/main.ts`) in a fresh data
 * directory with a bootstrap admin, and spoken to over the public WebSocket API (API.md
 * "WebSocket"): subscribers are anonymous and send `subscribe`; the publisher logs in over
 * REST, sends `auth` on its own socket and then one `send` per message, and counts `ack`s.
 */
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientFrame, decodeServerMessage, type ServerFrame } from "@chorus/protocol";
import WebSocket from "ws";
import { nowMs } from "../payload.js";
import {
  captureOutput,
  freePort,
  LOOPBACK,
  onExit,
  ROOT,
  spawnTracked,
  stopChild,
  waitForHttpOk,
} from "../processes.js";
import type { ClientSpec, Publisher, RunningTarget, Subscriber, SubscriberEvents, TargetDefinition } from "./types.js";

type ChorusSpec = Extract<ClientSpec, { kind: "chorus" }>;

const CHANNEL = "main";
export const ADMIN_USERNAME = "bench_admin";
/** Spreads a worker's subscribers over the nodes of a cluster target, round robin. */
let nextNode = 0;
const SERVER_ENTRY = "packages/server/src/main.ts";
/** PGlite initialises a database on first start; give it time. */
const READY_TIMEOUT_MS = 90_000;

export const chorusTarget: TargetDefinition = {
  name: "chorus",
  label: "Chorus (embedded)",
  async start(signal: AbortSignal): Promise<RunningTarget> {
    if (!existsSync(join(ROOT, SERVER_ENTRY))) throw new Error(`${SERVER_ENTRY} does not exist yet`);
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), "chorus-bench-"));
    // If the benchmark dies before `stop`, the data directory still goes.
    const forgetDataDir = onExit(() => rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }));
    const password = randomBytes(18).toString("base64url");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: LOOPBACK,
      DATA_DIR: dataDir,
      ADMIN_USERNAME,
      ADMIN_PASSWORD: password,
      LOG_LEVEL: "warn",
    };
    // Embedded mode only: never let the caller's environment point the server elsewhere.
    delete env["REDIS_URL"];
    delete env["DATABASE_URL"];
    const child = spawnTracked(process.execPath, ["--import", "tsx", SERVER_ENTRY], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logTail = captureOutput(child);
    const stop = async () => {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      forgetDataDir();
    };
    const base = `http://${LOOPBACK}:${port}`;
    try {
      await waitForHttpOk(`${base}/readyz`, READY_TIMEOUT_MS, child, signal);
      const token = await login(base, password, signal);
      return {
        name: "chorus",
        pid: child.pid ?? -1,
        client: { kind: "chorus", url: `ws://${LOOPBACK}:${port}/api/ws`, channel: CHANNEL },
        connectPublisher: () => connectPublisher(`ws://${LOOPBACK}:${port}/api/ws`, token),
        logTail,
        stop,
      };
    } catch (err) {
      const tail = logTail().slice(-15).join("\n  ");
      await stop();
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}${tail ? `\n  server output:\n  ${tail}` : ""}`,
      );
    }
  },
};

export async function login(base: string, password: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: ADMIN_USERNAME, password }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
  });
  const body: unknown = await res.json().catch(() => undefined);
  const token = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["token"] : undefined;
  if (res.status !== 200 || typeof token !== "string") {
    throw new Error(`POST /api/auth/login answered ${res.status} ${JSON.stringify(body)?.slice(0, 300)}`);
  }
  return token;
}

function openSocket(url: string): WebSocket {
  // No compression: both targets are measured on plain frames.
  return new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
}

function sendFrame(ws: WebSocket, frame: ClientFrame): void {
  ws.send(JSON.stringify(frame));
}

/** Decodes a server message, or describes why it is not one. */
function decode(data: WebSocket.RawData): ServerFrame[] | string {
  try {
    return decodeServerMessage(data.toString());
  } catch (err) {
    return `bad_message:${err instanceof Error ? err.message : String(err)}`;
  }
}

export function connectPublisher(url: string, token: string): Promise<Publisher> {
  return new Promise((resolve, reject) => {
    const ws = openSocket(url);
    const pending = new Map<string, Parameters<Publisher["send"]>[2]>();
    let ready = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("publisher: no auth_ok within 10 s"));
    }, 10_000);
    ws.on("open", () => sendFrame(ws, { op: "auth", token }));
    ws.on("error", (err) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`publisher socket: ${err.message}`));
      }
    });
    ws.on("close", (code, reason) => {
      for (const done of pending.values()) done({ ok: false, code: `closed:${code}` });
      pending.clear();
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`publisher socket closed (${code} ${reason.toString()})`));
      }
    });
    ws.on("message", (data) => {
      const frames = decode(data);
      if (typeof frames === "string") return;
      for (const frame of frames) {
        if (frame.op === "auth_ok" && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve({
            send(text, nonce, done) {
              pending.set(nonce, done);
              sendFrame(ws, { op: "send", channel: CHANNEL, text, nonce });
            },
            close: () => ws.close(),
          });
        } else if (frame.op === "ack") {
          const done = pending.get(frame.nonce);
          pending.delete(frame.nonce);
          done?.({ ok: true, seq: typeof frame.message?.seq === "number" ? frame.message.seq : undefined });
        } else if (frame.op === "error") {
          if (!ready) {
            clearTimeout(timer);
            ws.terminate();
            reject(new Error(`publisher auth failed: ${frame.code} ${frame.message}`));
          } else if (frame.nonce !== undefined) {
            const done = pending.get(frame.nonce);
            pending.delete(frame.nonce);
            done?.({ ok: false, code: frame.code });
          }
        }
      }
    });
  });
}

/** Connects one anonymous subscriber; resolves on `subscribed`. */
export function connectChorusSubscriber(
  spec: ChorusSpec,
  events: SubscriberEvents,
  timeoutMs: number,
): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const ws = openSocket(
      spec.urls && spec.urls.length > 0 ? (spec.urls[nextNode++ % spec.urls.length] ?? spec.url) : spec.url,
    );
    let subscribed = false;
    let closing = false;
    const fail = (reason: string) => {
      if (subscribed) return;
      clearTimeout(timer);
      closing = true;
      ws.terminate();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail("subscribe timeout"), timeoutMs);
    ws.on("open", () => sendFrame(ws, { op: "subscribe", channel: spec.channel }));
    ws.on("error", (err) => fail(`socket error: ${err.message}`));
    ws.on("close", (code) => {
      if (!subscribed) fail(`closed before subscribed (${code})`);
      else if (!closing) events.problem(`close:${code}`);
    });
    ws.on("message", (data) => {
      const receivedAtMs = nowMs();
      const frames = decode(data);
      if (typeof frames === "string") {
        events.problem("bad_message");
        return;
      }
      for (const frame of frames) {
        switch (frame.op) {
          case "event":
            if ("seq" in frame && typeof frame.seq === "number") events.logged(frame.seq);
            if (frame.type === "message") {
              if (typeof frame.data?.text === "string") events.message(frame.data.text, receivedAtMs);
              else events.problem("message_without_text");
            }
            break;
          case "subscribed":
            if (!subscribed && frame.channel === spec.channel) {
              subscribed = true;
              clearTimeout(timer);
              events.subscribed(typeof frame.seq === "number" ? frame.seq : undefined);
              resolve({
                close: () => {
                  closing = true;
                  ws.close();
                },
              });
            }
            break;
          case "error":
            if (!subscribed) fail(`error frame: ${frame.code} ${frame.message}`);
            else events.problem(`error:${frame.code}`);
            break;
          case "reconnect":
            events.problem(`reconnect:${frame.reason}`);
            break;
          case "pong":
          case "unsubscribed":
          case "auth_ok":
          case "ack":
            break;
          default:
            events.problem(`unexpected_op:${String((frame as { op?: unknown }).op)}`);
        }
      }
    });
  });
}
