/**
 * `GET /api/ws`: the upgrade is handled here, not by a framework plugin, so that the per-IP
 * connection limits, the token and the Origin are checked before the 101 is sent (a rejected
 * client never gets a socket).
 */

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { CLOSE_CODES } from "@chorus/protocol";
import { WebSocketServer } from "ws";
import type { AuthContext } from "../auth/auth-service.js";
import { toClientError } from "../errors/boundary.js";
import { readCookieToken } from "../http/session-cookie.js";
import { type ConnectionAdmission, clientAddress } from "./connection-admission.js";
import { ticketOf } from "./connection-tickets.js";
import { bearerToken, isAllowedOrigin, type ProxyTrust, siteOf } from "./origin.js";
import { WsConnection, type WsDeps } from "./ws-connection.js";

export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private accepting = true;

  constructor(
    private readonly deps: WsDeps,
    private readonly allowedOrigins: readonly string[],
    private readonly admission: ConnectionAdmission,
    private readonly trust: ProxyTrust = () => false,
    /** Whether a site ban covers the address (admin/site-bans.ts). */
    private readonly isBanned: (address: string) => boolean = () => false,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.limits.wsMaxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  get size(): number {
    return this.connections.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/api/ws" || !this.accepting) {
      reject(socket, this.accepting ? 404 : 503);
      return;
    }
    const address = clientAddress(req, this.trust);
    if (this.isBanned(address)) {
      reject(socket, 403);
      return;
    }
    let release: (() => void) | null = null;
    this.admission
      .admit(address)
      .then(async (admission) => {
        if (!admission.admitted) return reject(socket, 429, admission.retryAfterMs);
        release = admission.release;
        const result = await this.authenticate(req);
        if (result === "forbidden") return refuse(403);
        if (result === "unauthorized") return refuse(401);
        // The client may have gone while we checked: its slot is free again at once.
        if (socket.destroyed) return refuse(499);
        const held = admission.release;
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          const conn = new WsConnection(ws, socket, this.deps, result, address, (c) => {
            this.connections.delete(c);
            held();
          });
          this.connections.add(conn);
        });
      })
      .catch((error: unknown) => {
        // A dependency outage (the session lookup, the limiter) is a 503 with a retry hint.
        const answer = toClientError(error, this.deps.logger, { transport: "ws-upgrade" });
        refuse(answer.status, answer.retryAfterMs);
      });

    function refuse(status: number, retryAfterMs?: number): void {
      release?.();
      if (!socket.destroyed) reject(socket, status, retryAfterMs);
    }
  }

  /** Closes every connection `covered` says must go (a site ban), on this node. */
  closeWhere(covered: (userId: string | null, address: string) => boolean): void {
    for (const conn of this.connections) {
      if (covered(conn.userId, conn.address)) conn.reconnect("banned", 0, CLOSE_CODES.revoked);
    }
  }

  /** Closes every connection of a revoked session, on this node. */
  revokeSession(sessionId: string): void {
    for (const conn of this.connections) {
      if (conn.sessionId === sessionId) conn.reconnect("revoked", 0, CLOSE_CODES.revoked);
    }
  }

  /** Shutdown: stop accepting, tell every client to reconnect (with jitter, so they don't return at once). */
  shutdown(): void {
    this.accepting = false;
    for (const conn of this.connections) {
      conn.reconnect("shutdown", 500 + Math.floor(Math.random() * 2_000), CLOSE_CODES.shutdown);
    }
  }

  async close(): Promise<void> {
    this.shutdown();
    const deadline = Date.now() + 3_000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.wss.close();
  }

  private async authenticate(req: IncomingMessage): Promise<AuthContext | null | "unauthorized" | "forbidden"> {
    // A single-use ticket (POST /api/realtime/tickets) stands for its session; a bad one is 401.
    const ticket = ticketOf(req.url);
    if (ticket !== null) return this.deps.tickets.redeem(ticket);
    const header = req.headers.authorization;
    // As on REST: an Authorization header that is not a well-formed bearer token is refused,
    // not taken for an anonymous connection.
    const bearer = header === undefined ? null : bearerToken(header);
    if (header !== undefined && bearer === null) return "unauthorized";
    const cookie = bearer === null ? readCookieToken(req.headers.cookie) : null;
    // A cookie rides along on cross-site requests; a bearer token cannot be forged that way.
    if (cookie !== null && !isAllowedOrigin(req.headers, siteOf(req, this.trust), this.allowedOrigins))
      return "forbidden";
    const token = bearer ?? cookie;
    if (token === null) return null;
    const ctx = await this.deps.auth.authenticate(token);
    if (ctx) return ctx;
    // A stale cookie should not lock a reader out: connect anonymously. A bad bearer is an error.
    return bearer !== null ? "unauthorized" : null;
  }
}

function reject(socket: Duplex, status: number, retryAfterMs?: number): void {
  const text =
    {
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      429: "Too Many Requests",
      500: "Internal Server Error",
      503: "Service Unavailable",
    }[status] ?? "Error";
  const retry = retryAfterMs === undefined ? "" : `Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
