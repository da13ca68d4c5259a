/**
 * Publisher connections for the load generator. Both Chorus ways of writing a message
 * count the same thing: the server's durable acknowledgement (docs/api.md "Messages": 201 once
 * the message is in the log; WebSocket `ack`).
 * - WebSocket: one socket, `{op:"auth", token}`, then `{op:"send", channel, text, nonce}`
 *   without waiting; `ack` / `error` frames are matched by nonce.
 * - REST: `POST /api/channels/:name/messages` with `Authorization: Bearer`, over a
 *   keep-alive connection pool per publisher; every 2xx is an ack.
 */
import { Agent, request } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type ClientFrame, decodeServerMessage } from "@chorus/protocol";
import WebSocket from "ws";
import type { ChannelPublisher, Publisher, PublishOutcome } from "../targets/types.js";

type Done = (outcome: PublishOutcome) => void;

const AUTH_TIMEOUT_MS = 10_000;
/** Requests a REST publisher keeps in flight at once (further ones wait in the agent's queue). */
const REST_SOCKETS = 32;
const REST_TIMEOUT_MS = 30_000;

export function connectWsPublisher(wsUrl: string, token: string): Promise<ChannelPublisher> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: AUTH_TIMEOUT_MS });
    const pending = new Map<string, Done>();
    let ready = false;
    const send = (frame: ClientFrame) => ws.send(JSON.stringify(frame));
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`publisher: no auth_ok within ${AUTH_TIMEOUT_MS} ms`));
    }, AUTH_TIMEOUT_MS);
    ws.on("open", () => send({ op: "auth", token }));
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
    ws.on("message", (data: Buffer) => {
      let frames: ReturnType<typeof decodeServerMessage>;
      try {
        frames = decodeServerMessage(data.toString());
      } catch {
        return;
      }
      for (const frame of frames) {
        if (frame.op === "auth_ok" && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve({
            send(channel, text, nonce, done) {
              if (ws.readyState !== WebSocket.OPEN) {
                done({ ok: false, code: "closed" });
                return;
              }
              pending.set(nonce, done);
              send({ op: "send", channel, text, nonce });
            },
            close: () => ws.close(),
          });
        } else if (frame.op === "ack") {
          const done = pending.get(frame.nonce);
          pending.delete(frame.nonce);
          const seq: unknown = (frame.message as { seq?: unknown } | undefined)?.seq;
          done?.({ ok: true, seq: typeof seq === "number" ? seq : undefined });
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

export function restPublisher(httpUrl: string, token: string): ChannelPublisher {
  const base = new URL(httpUrl);
  const https = base.protocol === "https:";
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: REST_SOCKETS })
    : new Agent({ keepAlive: true, maxSockets: REST_SOCKETS });
  const doRequest = https ? httpsRequest : request;
  return {
    send(channel, text, nonce, reply) {
      // A request can fail after its response started: answer once.
      let answered = false;
      const done: Done = (outcome) => {
        if (answered) return;
        answered = true;
        reply(outcome);
      };
      const body = JSON.stringify({ text, nonce });
      const req = doRequest(
        new URL(`/api/channels/${encodeURIComponent(channel)}/messages`, base),
        {
          method: "POST",
          agent,
          timeout: REST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              let seq: number | undefined;
              try {
                const parsed = JSON.parse(Buffer.concat(chunks).toString()) as { message?: { seq?: unknown } };
                if (typeof parsed.message?.seq === "number") seq = parsed.message.seq;
              } catch {
                // A 2xx without a body we understand is still an ack.
              }
              done({ ok: true, seq });
            } else {
              let code = `http_${status}`;
              try {
                const parsed = JSON.parse(Buffer.concat(chunks).toString()) as { error?: { code?: unknown } };
                if (typeof parsed.error?.code === "string") code = parsed.error.code;
              } catch {
                // keep http_<status>
              }
              done({ ok: false, code });
            }
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (err) => done({ ok: false, code: `request_error:${err.message.replace(/\d+/g, "N")}` }));
      req.end(body);
    },
    close: () => agent.destroy(),
  };
}

/** A target's single-channel publisher, usable only when the run has that one channel. */
export function singleChannelPublisher(publisher: Publisher, channel: string): ChannelPublisher {
  return {
    send(to, text, nonce, done) {
      if (to !== channel) {
        done({ ok: false, code: "wrong_channel" });
        return;
      }
      publisher.send(text, nonce, done);
    },
    close: () => publisher.close(),
  };
}
