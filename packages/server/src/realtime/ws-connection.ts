/**
 * One WebSocket client. Everything it is sent — control frames and channel events — goes
 * through one ordered queue and leaves as one JSON-array frame per tick. Every resource is
 * bounded: queued bytes (slow consumer → reconnect + 4008), frames per minute, channels
 * per connection, payload size (enforced by `ws` itself).
 */

import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { CLOSE_CODES, type ClientFrame, type ServerFrame } from "@chorus/protocol";
import { decodeClientFrame } from "@chorus/protocol/decode";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import type { AuthContext, AuthService } from "../auth/auth-service.js";
import { toPublicUser } from "../auth/users.js";
import type { ChannelService } from "../channels/channel-service.js";
import type { ChatService } from "../chat/chat-service.js";
import { toClientError } from "../errors/boundary.js";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { ConnectionTickets } from "./connection-tickets.js";
import { corkUntilTickEnd } from "./cork.js";
import type { EncodedBatch } from "./encoded.js";
import { ChannelSubscription, type Sink, type SubscriptionDeps } from "./subscription.js";

export interface WsLimits {
  wsMaxPayloadBytes: number;
  channelsPerConnection: number;
  framesPerMinute: number;
  connectionQueueMaxBytes: number;
}

export interface WsDeps {
  auth: AuthService;
  chat: ChatService;
  channels: ChannelService;
  subscriptions: SubscriptionDeps;
  metrics: Metrics;
  limits: WsLimits;
  logger: Logger;
  tickets: ConnectionTickets;
}

const TEXT = { binary: false } as const;
/** How long a closing socket may take to say goodbye before it is cut. */
const CLOSE_TIMEOUT_MS = 2_000;

export class WsConnection implements Sink {
  readonly id = randomUUID();
  private readonly subs = new Map<string, ChannelSubscription>();
  private pending: Array<string | EncodedBatch> = [];
  private flushScheduled = false;
  private windowStart = Date.now();
  private framesInWindow = 0;
  private closing = false;
  private cleaned = false;
  private inOrder: Promise<void> = Promise.resolve();

  /**
   * @param socket the raw socket under `ws` (from the upgrade): fan-out batches arrive
   * pre-framed and are written to it directly. Safe because compression is off, so `ws`
   * itself writes synchronously and never holds a frame back that ours could overtake.
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    private readonly deps: WsDeps,
    private ctx: AuthContext | null,
    /** The client's IP (through a trusted proxy: the address it forwarded). */
    readonly address: string,
    private readonly onClosed: (conn: WsConnection) => void,
  ) {
    deps.metrics.connections.inc({ transport: "ws" });
    ws.on("message", (data, isBinary) => this.receive(data, isBinary));
    ws.on("close", () => this.cleanup());
    ws.on("error", () => this.cleanup());
  }

  get sessionId(): string | null {
    return this.ctx?.sessionId ?? null;
  }

  get userId(): string | null {
    return this.ctx?.user.id ?? null;
  }

  // ---- Sink --------------------------------------------------------------------------

  enqueue(batch: EncodedBatch): void {
    if (!this.closing) this.pending.push(batch);
  }

  subscribed(channel: string, seq: number, recovered: boolean): void {
    this.send({ op: "subscribed", channel, seq, recovered });
  }

  /** Writes everything queued as one frame; returns the number of frames written (0 or 1). */
  flush(): number {
    this.flushScheduled = false;
    const pending = this.pending;
    if (pending.length === 0 || this.closing) return 0;
    if (this.overLimit()) return 0;
    this.pending = [];
    const only = pending.length === 1 ? pending[0] : undefined;
    if (only !== undefined && typeof only !== "string") {
      // The common case — one channel's batch this tick: the frame bytes were built once for
      // every subscriber; this connection only writes them.
      if (this.ws.readyState !== this.ws.OPEN || this.socket.destroyed) return 0;
      corkUntilTickEnd(this.socket);
      this.socket.write(only.wsWire);
      return 1;
    }
    this.ws.send(`[${pending.map((p) => (typeof p === "string" ? p : p.wsInner)).join(",")}]`, TEXT);
    return 1;
  }

  /**
   * A client that does not read: tell it to come back and resume by seq, drop its queue.
   * Judged on what is already waiting in the socket, not on the frame about to join it: a
   * resume's replay (up to maxReplayEvents) may be one frame bigger than the whole limit,
   * and refusing it would send that client back with the same `since` forever. So the queue
   * holds at most the limit plus one frame.
   */
  private overLimit(): boolean {
    if (this.ws.bufferedAmount <= this.deps.limits.connectionQueueMaxBytes) return false;
    this.deps.metrics.slowConsumers.inc();
    this.reconnect("slow_consumer", 1_000, CLOSE_CODES.slowConsumer);
    return true;
  }

  // ---- control -----------------------------------------------------------------------

  /** Tells the client to come back later (and where to resume: by seq), then closes. */
  reconnect(reason: string, retryAfterMs: number, code: number): void {
    if (this.closing) return;
    this.pending = [JSON.stringify({ op: "reconnect", reason, retryAfterMs } satisfies ServerFrame)];
    this.flushNowEvenIfClosing();
    this.closing = true;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_TIMEOUT_MS).unref();
  }

  private send(frame: ServerFrame): void {
    if (this.closing) return;
    this.pending.push(JSON.stringify(frame));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Once the current callback's promise jobs are done: an ack resolved by a commit goes
      // out in the same turn, together with anything else queued by then.
      process.nextTick(() => this.deps.metrics.framesWritten.inc(this.flush()));
    }
  }

  private flushNowEvenIfClosing(): void {
    const data = `[${this.pending.map((p) => (typeof p === "string" ? p : p.wsInner)).join(",")}]`;
    this.pending = [];
    this.ws.send(data, TEXT);
  }

  // ---- client frames -----------------------------------------------------------------

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    if (!this.allowFrame()) return;
    if (isBinary) {
      this.send({ op: "error", code: "invalid_request", message: "binary frames are not supported" });
      return;
    }
    const raw = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.from(data as ArrayBuffer).toString("utf8");
    const decoded = decodeClientFrame(raw, this.deps.limits.wsMaxPayloadBytes);
    if (!decoded.ok) {
      const error: ServerFrame = { op: "error", code: decoded.code, message: decoded.message };
      if (decoded.nonce !== undefined) error.nonce = decoded.nonce;
      this.send(error);
      return;
    }
    // Frames of one connection take effect in the order they were sent (auth before send,
    // subscribe before unsubscribe); see "send" for how sends pipeline.
    const frame = decoded.frame;
    this.inOrder = this.inOrder.then(() => this.handle(frame)).catch((error: unknown) => this.fail(error, frame));
  }

  private async handle(frame: ClientFrame): Promise<void> {
    switch (frame.op) {
      case "ping":
        this.send({ op: "pong" });
        return;
      case "auth": {
        const ctx = await this.deps.auth.authenticate(frame.token);
        if (!ctx) throw new AppError("unauthorized", "invalid or expired token");
        this.ctx = ctx;
        this.send({ op: "auth_ok", user: toPublicUser(ctx.user) });
        return;
      }
      case "subscribe":
        return this.subscribe(frame.channel.toLowerCase(), frame.since);
      case "unsubscribe": {
        const channel = frame.channel.toLowerCase();
        this.subs.get(channel)?.close();
        if (this.subs.delete(channel)) this.deps.metrics.subscriptions.dec();
        this.send({ op: "unsubscribed", channel });
        return;
      }
      case "send": {
        if (!this.ctx) throw new AppError("unauthorized", 'send {op:"auth"} first');
        // A send holds the line only until it has started: its checks then run in the same
        // order on the same connections (memory, or one Redis connection in FIFO order), so
        // sends keep their order while a connection pipelines many of them — waiting for each
        // one's round trips would cap a connection at one message per event-loop turn.
        this.deps.chat
          .accept(
            this.ctx,
            frame.channel.toLowerCase(),
            {
              text: frame.text,
              nonce: frame.nonce,
              replyTo: frame.replyTo,
            },
            this.address,
          )
          .then(({ durable }) => durable)
          .then(
            ({ message, heldId }) =>
              this.send(
                heldId === undefined
                  ? { op: "ack", nonce: frame.nonce, message }
                  : { op: "held", nonce: frame.nonce, id: heldId },
              ),
            (error: unknown) => this.fail(error, frame),
          );
        return;
      }
    }
  }

  private async subscribe(channel: string, since: number | undefined): Promise<void> {
    const existing = this.subs.get(channel);
    if (!existing && this.subs.size >= this.deps.limits.channelsPerConnection) {
      throw new AppError(
        "invalid_request",
        `at most ${this.deps.limits.channelsPerConnection} channels per connection`,
      );
    }
    if (!(await this.deps.channels.exists(channel))) throw new AppError("not_found", "channel not found");
    // Subscribing again re-syncs from `since` (a client that detected a gap).
    if (existing) {
      existing.close();
      this.subs.delete(channel);
      this.deps.metrics.subscriptions.dec();
    }
    const viewer = { key: this.ctx?.user.id ?? this.id, user: this.ctx?.user ?? null };
    const sub = await ChannelSubscription.open(this.deps.subscriptions, this, channel, since, viewer);
    if (this.closing) {
      sub.close();
      return;
    }
    this.subs.set(channel, sub);
    this.deps.metrics.subscriptions.inc();
  }

  private fail(error: unknown, frame: ClientFrame): void {
    const e = toClientError(error, this.deps.logger, { op: frame.op, connection: this.id });
    const out: ServerFrame = { op: "error", code: e.code, message: e.message };
    if (e.retryAfterMs !== undefined) out.retryAfterMs = e.retryAfterMs;
    if (e.until !== undefined) out.until = e.until;
    if (frame.op === "send") out.nonce = frame.nonce;
    if (frame.op === "subscribe" || frame.op === "unsubscribe" || frame.op === "send") out.channel = frame.channel;
    this.send(out);
  }

  /** Fixed one-minute window; admins and bots are exempt (load generators, bridges). */
  private allowFrame(): boolean {
    if (this.ctx && this.deps.auth.isExempt(this.ctx.user)) return true;
    const now = Date.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    this.framesInWindow++;
    const limit = this.deps.limits.framesPerMinute;
    if (this.framesInWindow <= limit) return true;
    if (this.framesInWindow > limit * 2) {
      this.reconnect("frame_flood", 60_000, CLOSE_CODES.frameFlood);
      return false;
    }
    this.send({
      op: "error",
      code: "rate_limited",
      message: `more than ${limit} frames per minute`,
      retryAfterMs: 60_000 - (now - this.windowStart),
    });
    return false;
  }

  private cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    this.closing = true;
    for (const sub of this.subs.values()) sub.close();
    this.deps.metrics.subscriptions.dec(this.subs.size);
    this.deps.metrics.connections.dec({ transport: "ws" });
    this.subs.clear();
    this.pending = [];
    this.onClosed(this);
  }
}
