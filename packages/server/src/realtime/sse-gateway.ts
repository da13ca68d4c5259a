/**
 * `GET /api/channels/:name/events`: Server-Sent Events. Same subscription and resume rules
 * as WebSocket (Last-Event-ID or `since`), events written as `id:`/`event:`/`data:` from the
 * chunk the hub encoded once per tick, a comment heartbeat so proxies keep the stream open,
 * and the same bounded queue: a reader that falls behind gets `event: reconnect` and is closed.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { toClientError } from "../errors/boundary.js";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { UserRecord } from "../ports/store.js";
import type { ConnectionAdmission } from "./connection-admission.js";
import type { EncodedBatch } from "./encoded.js";
import { ChannelSubscription, type Sink, type SubscriptionDeps } from "./subscription.js";

export interface SseOptions {
  heartbeatMs: number;
  connectionQueueMaxBytes: number;
}

class SseConnection implements Sink {
  readonly id = randomUUID();
  private pending: Array<string | EncodedBatch> = [];
  private closed = false;
  sub: ChannelSubscription | null = null;

  constructor(
    readonly res: ServerResponse,
    readonly sessionId: string | null,
    readonly userId: string | null,
    readonly address: string,
    private readonly gateway: SseGateway,
    /** Gives the client address's connection slot back. */
    readonly release: () => void,
  ) {}

  enqueue(batch: EncodedBatch): void {
    if (!this.closed) this.pending.push(batch);
  }

  subscribed(channel: string, seq: number, recovered: boolean): void {
    this.pending.push(`event: subscribed\ndata: ${JSON.stringify({ channel, seq, recovered })}\n\n`);
  }

  flush(): number {
    const pending = this.pending;
    if (pending.length === 0 || this.closed) return 0;
    this.pending = [];
    const only = pending.length === 1 ? pending[0] : undefined;
    const chunk =
      only !== undefined && typeof only !== "string"
        ? only.sseChunk
        : Buffer.concat(pending.map((p) => (typeof p === "string" ? Buffer.from(p) : p.sseChunk)));
    // Judged on what already waits, not on this chunk: a resume's replay may alone exceed the
    // limit, and refusing it would bounce that client forever (see WsConnection.overLimit).
    if (this.res.writableLength > this.gateway.options.connectionQueueMaxBytes) {
      this.gateway.metrics.slowConsumers.inc();
      this.reconnect("slow_consumer", 1_000);
      return 0;
    }
    this.res.write(chunk);
    return 1;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  heartbeat(): void {
    if (!this.closed) this.res.write(": ping\n\n");
  }

  reconnect(reason: string, retryAfterMs: number): void {
    if (this.closed) return;
    this.res.write(
      `retry: ${retryAfterMs}\nevent: reconnect\ndata: ${JSON.stringify({ op: "reconnect", reason, retryAfterMs })}\n\n`,
    );
    this.res.end();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.sub?.close();
    this.gateway.forget(this);
  }
}

export class SseGateway {
  private readonly connections = new Set<SseConnection>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly deps: SubscriptionDeps,
    readonly metrics: Metrics,
    readonly options: SseOptions,
    private readonly logger: Logger,
    private readonly admission: ConnectionAdmission,
  ) {
    this.timer = setInterval(() => {
      for (const conn of this.connections) conn.heartbeat();
    }, options.heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** A connection slot for the address (released through `open`), or 429 `rate_limited`. */
  async admit(address: string): Promise<() => void> {
    const admission = await this.admission.admit(address);
    if (!admission.admitted)
      throw new AppError(
        "rate_limited",
        admission.reason === "rate"
          ? "too many new connections from your address"
          : "too many open connections from your address",
        admission.retryAfterMs,
      );
    return admission.release;
  }

  /** Takes over the response: headers, subscription with resume, then events until either side closes. */
  async open(
    res: ServerResponse,
    channel: string,
    since: number | undefined,
    user: UserRecord | null,
    sessionId: string | null,
    address: string,
    release: () => void,
  ): Promise<void> {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // nginx: do not buffer the stream.
      "x-accel-buffering": "no",
    });
    res.write(": connected\n\n");
    const conn = new SseConnection(res, sessionId, user?.id ?? null, address, this, release);
    this.connections.add(conn);
    this.metrics.connections.inc({ transport: "sse" });
    res.on("close", () => conn.close());
    try {
      const viewer = { key: user?.id ?? conn.id, user };
      const sub = await ChannelSubscription.open(this.deps, conn, channel, since, viewer);
      // The reader may have left while the backfill was read: release what was just taken.
      if (conn.isClosed) {
        sub.close();
        return;
      }
      conn.sub = sub;
      this.metrics.subscriptions.inc();
    } catch (error) {
      // The 200 and its headers are gone already: the failure's code becomes the reconnect's
      // reason (`unavailable` after a dependency failure), its hint the client's retry delay.
      const e = toClientError(error, this.logger, { channel, transport: "sse" });
      conn.reconnect(e.code, e.retryAfterMs ?? 1_000);
    }
  }

  forget(conn: SseConnection): void {
    conn.release();
    if (this.connections.delete(conn)) {
      this.metrics.connections.dec({ transport: "sse" });
      if (conn.sub) this.metrics.subscriptions.dec();
    }
  }

  /** Closes every stream `covered` says must go (a site ban), on this node. */
  closeWhere(covered: (userId: string | null, address: string) => boolean): void {
    for (const conn of this.connections) {
      if (covered(conn.userId, conn.address)) conn.reconnect("banned", 0);
    }
  }

  revokeSession(sessionId: string): void {
    for (const conn of this.connections) {
      if (conn.sessionId === sessionId) conn.reconnect("revoked", 0);
    }
  }

  shutdown(): void {
    clearInterval(this.timer);
    for (const conn of this.connections) conn.reconnect("shutdown", 500 + Math.floor(Math.random() * 2_000));
  }
}
