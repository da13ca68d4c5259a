/**
 * One Chorus subscriber that behaves like a real viewer's client: it subscribes to one
 * channel over WebSocket (`{op:"subscribe"}`, docs/protocol.md "WebSocket") or Server-Sent Events
 * (`GET /api/channels/:name/events`), remembers the last `seq` it saw, and when the
 * connection is lost — the server said `reconnect` (slow consumer, shutdown) or the socket
 * died — comes back after a jittered exponential backoff and resumes with `since` = that
 * seq, so the tracker can verify that nothing was missed. It can also play a slow reader
 * (stops reading for a while, then catches up) and be dropped on purpose (a reconnect storm).
 */
import { get, type IncomingMessage } from "node:http";
import { decodeServerMessage, type ServerFrame } from "@chorus/protocol";
import { createParser } from "eventsource-parser";
import WebSocket from "ws";
import type { BackoffPlan, Transport } from "../loadgen/plan.js";
import { reconnectDelay } from "../loadgen/plan.js";
import { nowMs } from "../payload.js";
import { scanEventFrame } from "./frame-scan.js";

export interface SubscriberHooks {
  /** (Re)subscribed; `seq` is the channel's latest seq, `recovered` false when resume was impossible. */
  subscribed(seq: number | undefined, recovered: boolean, resumed: boolean): void;
  /** A logged event (message or not) with its seq. */
  logged(seq: number): void;
  /** A chat message's text; `receivedAtMs` was read before the frame was parsed. */
  message(text: string, receivedAtMs: number): void;
  /** One WebSocket message or one SSE event arrived, of `bytes` bytes. */
  frame(bytes: number): void;
  /** Anything unexpected or noteworthy: error/reconnect frames, closes, failed reconnects. */
  problem(kind: string): void;
}

export interface SubscriberOptions {
  /** `ws://host:port/api/ws` */
  wsUrl: string;
  /** `http://host:port` (SSE) */
  httpUrl: string;
  channel: string;
  transport: Transport;
  connectTimeoutMs: number;
  backoff: BackoffPlan;
  /** Slow reader: stop reading for `pauseMs`, then read for `readMs`, over and over. */
  slow?: { pauseMs: number; readMs: number };
}

/** One live connection, whichever the transport. */
interface Connection {
  pause(): void;
  resume(): void;
  /** Drops the connection at once (no close handshake), as a crashing client would. */
  terminate(): void;
  /** Polite close when the run is over. */
  close(): void;
}

interface ConnectHandlers {
  /** Called once, when the subscription is confirmed. */
  onSubscribed(seq: number | undefined, recovered: boolean): void;
  /** Called once, when the connection ends (after or before subscribing). */
  onEnd(reason: string, retryAfterMs: number | undefined): void;
}

function problemOf(frame: ServerFrame): string | undefined {
  switch (frame.op) {
    case "error":
      return `error:${frame.code}`;
    case "reconnect":
      return `reconnect:${frame.reason}`;
    case "event":
    case "subscribed":
    case "pong":
    case "unsubscribed":
    case "auth_ok":
    case "ack":
      return undefined;
    default:
      return `unexpected_op:${String((frame as { op?: unknown }).op)}`;
  }
}

export class ResumableSubscriber {
  /** Last seq seen on the channel (the resume point). */
  lastSeq: number | undefined;
  /** Successful resubscriptions after a lost connection. */
  reconnects = 0;
  subscribed = false;
  private conn: Connection | undefined;
  private closed = false;
  private attempt = 0;
  private slowTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: SubscriberOptions,
    private readonly hooks: SubscriberHooks,
  ) {}

  /** First connection: resolves once subscribed, rejects (no retry) if that fails. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.conn?.terminate();
        reject(new Error("subscribe timeout"));
      }, this.options.connectTimeoutMs);
      this.open(undefined, {
        onSubscribed: (seq, recovered) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.onSubscribed(seq, recovered, false);
          resolve();
        },
        onEnd: (reason, retryAfterMs) => {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            reject(new Error(reason));
            return;
          }
          this.onLost(reason, retryAfterMs);
        },
      });
    });
  }

  /** Reconnect storm: drop the connection now; it comes back by itself after a backoff. */
  drop(): void {
    if (this.closed || !this.conn) return;
    const conn = this.conn;
    this.conn = undefined;
    this.subscribed = false;
    this.stopSlowCycle();
    conn.terminate();
    this.scheduleReconnect(undefined);
  }

  close(): void {
    this.closed = true;
    this.stopSlowCycle();
    clearTimeout(this.retryTimer);
    this.conn?.close();
    this.conn = undefined;
  }

  private onSubscribed(seq: number | undefined, recovered: boolean, resumed: boolean): void {
    this.subscribed = true;
    this.attempt = 0;
    if (this.lastSeq === undefined && seq !== undefined) this.lastSeq = seq;
    this.hooks.subscribed(seq, recovered, resumed);
    if (this.options.slow) this.startSlowCycle();
  }

  private onLost(reason: string, retryAfterMs: number | undefined): void {
    this.conn = undefined;
    this.subscribed = false;
    this.stopSlowCycle();
    if (this.closed) return;
    this.hooks.problem(reason);
    this.scheduleReconnect(retryAfterMs);
  }

  private scheduleReconnect(retryAfterMs: number | undefined): void {
    if (this.closed) return;
    // The server's hint (slow consumer: 1 s) is a floor; the jitter spreads a crowd.
    const delay = (retryAfterMs ?? 0) + reconnectDelay(this.attempt++, this.options.backoff);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.reconnect(), delay);
  }

  private reconnect(): void {
    if (this.closed) return;
    let subscribed = false;
    const timer = setTimeout(() => {
      if (subscribed) return;
      this.hooks.problem("reconnect_failed:timeout");
      const conn = this.conn;
      this.conn = undefined;
      conn?.terminate();
      this.scheduleReconnect(undefined);
    }, this.options.connectTimeoutMs);
    this.open(this.lastSeq, {
      onSubscribed: (seq, recovered) => {
        subscribed = true;
        clearTimeout(timer);
        this.reconnects++;
        this.onSubscribed(seq, recovered, true);
      },
      onEnd: (reason, retryAfterMs) => {
        clearTimeout(timer);
        if (subscribed) {
          this.onLost(reason, retryAfterMs);
        } else if (!this.closed && this.conn !== undefined) {
          this.conn = undefined;
          this.hooks.problem(`reconnect_failed:${reason.replace(/\d+/g, "N")}`);
          this.scheduleReconnect(retryAfterMs);
        }
      },
    });
  }

  private startSlowCycle(): void {
    const slow = this.options.slow;
    const conn = this.conn;
    if (!slow || !conn) return;
    this.stopSlowCycle();
    conn.pause();
    this.slowTimer = setTimeout(() => {
      conn.resume();
      this.slowTimer = setTimeout(() => this.startSlowCycle(), slow.readMs);
    }, slow.pauseMs);
  }

  private stopSlowCycle(): void {
    clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
  }

  private seen(seq: number): void {
    this.hooks.logged(seq);
    if (this.lastSeq === undefined || seq > this.lastSeq) this.lastSeq = seq;
  }

  private open(since: number | undefined, handlers: ConnectHandlers): void {
    this.conn =
      this.options.transport === "ws" ? this.openWebSocket(since, handlers) : this.openEventStream(since, handlers);
  }

  private openWebSocket(since: number | undefined, handlers: ConnectHandlers): Connection {
    const { channel } = this.options;
    // No compression: every target is measured on plain frames.
    const ws = new WebSocket(this.options.wsUrl, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    let ended = false;
    let retryAfterMs: number | undefined;
    let endReason: string | undefined;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      handlers.onEnd(endReason ?? reason, retryAfterMs);
    };
    ws.on("open", () => ws.send(JSON.stringify({ op: "subscribe", channel, since })));
    ws.on("error", (err) => {
      endReason ??= `socket error: ${err.message}`;
    });
    ws.on("close", (code) => end(`close:${code}`));
    ws.on("message", (data: Buffer) => {
      const receivedAtMs = nowMs();
      this.hooks.frame(data.length);
      const raw = data.toString();
      const scanned = scanEventFrame(raw, channel);
      if (scanned) {
        for (const event of scanned) {
          if (event.seq !== undefined) this.seen(event.seq);
          if (event.type === "message" && event.text !== undefined) this.hooks.message(event.text, receivedAtMs);
        }
        return;
      }
      let frames: ServerFrame[];
      try {
        frames = decodeServerMessage(raw);
      } catch {
        this.hooks.problem("bad_message");
        return;
      }
      for (const frame of frames) {
        if (frame.op === "event") {
          if (frame.channel !== channel) continue;
          if ("seq" in frame && typeof frame.seq === "number") this.seen(frame.seq);
          if (frame.type === "message") {
            const text: unknown = (frame.data as { text?: unknown } | undefined)?.text;
            if (typeof text === "string") this.hooks.message(text, receivedAtMs);
            else this.hooks.problem("message_without_text");
          }
        } else if (frame.op === "subscribed") {
          if (frame.channel === channel) {
            handlers.onSubscribed(
              typeof frame.seq === "number" ? frame.seq : undefined,
              (frame as { recovered?: unknown }).recovered !== false,
            );
          }
        } else {
          const problem = problemOf(frame);
          if (problem) this.hooks.problem(problem);
          if (frame.op === "reconnect") retryAfterMs = frame.retryAfterMs;
          if (frame.op === "error" && !this.subscribed) endReason = `error frame: ${frame.code}`;
        }
      }
    });
    return {
      pause: () => ws.pause(),
      resume: () => ws.resume(),
      terminate: () => {
        ended = true;
        ws.terminate();
      },
      close: () => {
        ended = true;
        ws.close();
      },
    };
  }

  private openEventStream(since: number | undefined, handlers: ConnectHandlers): Connection {
    const { channel, httpUrl } = this.options;
    const query = since === undefined ? "" : `?since=${since}`;
    let ended = false;
    let retryAfterMs: number | undefined;
    let res: IncomingMessage | undefined;
    let receivedAtMs = 0;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      handlers.onEnd(reason, retryAfterMs);
    };
    const parser = createParser({
      onEvent: (event) => {
        this.hooks.frame(Buffer.byteLength(event.data));
        if (event.event === "subscribed") {
          const data = JSON.parse(event.data) as { seq?: unknown; recovered?: unknown };
          handlers.onSubscribed(typeof data.seq === "number" ? data.seq : undefined, data.recovered !== false);
          return;
        }
        if (event.event === "reconnect") {
          const data = JSON.parse(event.data) as { reason?: unknown; retryAfterMs?: unknown };
          if (typeof data.retryAfterMs === "number") retryAfterMs = data.retryAfterMs;
          this.hooks.problem(`reconnect:${String(data.reason)}`);
          return;
        }
        let envelope: { seq?: unknown; type?: unknown; data?: { text?: unknown } };
        try {
          envelope = JSON.parse(event.data) as typeof envelope;
        } catch {
          this.hooks.problem("bad_message");
          return;
        }
        if (typeof envelope.seq === "number") this.seen(envelope.seq);
        if (envelope.type === "message") {
          const text = envelope.data?.text;
          if (typeof text === "string") this.hooks.message(text, receivedAtMs);
          else this.hooks.problem("message_without_text");
        }
      },
    });
    // `agent: false`: one TCP connection per subscriber, as separate browsers would have.
    const req = get(`${httpUrl}/api/channels/${encodeURIComponent(channel)}/events${query}`, {
      agent: false,
      headers: { accept: "text/event-stream" },
    });
    req.setTimeout(this.options.connectTimeoutMs, () => {
      if (res === undefined) req.destroy(new Error("no response"));
    });
    req.on("error", (err) => end(`socket error: ${err.message}`));
    req.on("response", (response) => {
      res = response;
      req.setTimeout(0);
      if (response.statusCode !== 200) {
        response.resume();
        end(`HTTP ${response.statusCode}`);
        return;
      }
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        receivedAtMs = nowMs();
        parser.feed(chunk);
      });
      response.on("close", () => end("close:sse"));
      response.on("error", () => end("close:sse"));
    });
    return {
      pause: () => res?.pause(),
      resume: () => res?.resume(),
      terminate: () => {
        ended = true;
        req.destroy();
      },
      close: () => {
        ended = true;
        req.destroy();
      },
    };
  }
}
