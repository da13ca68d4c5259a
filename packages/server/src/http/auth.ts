/**
 * Resolving who is calling: a bearer token, or the session cookie. A cookie-authenticated
 * unsafe request must come from an allowed Origin (CSRF); a bearer token needs no such check.
 */
import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuthContext, AuthService, IssuedSession } from "../auth/auth-service.js";
import { AppError, unauthorized } from "../errors.js";
import { bearerToken, isAllowedOrigin } from "../realtime/origin.js";
import { readCookieToken, SESSION_COOKIE } from "./session-cookie.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RequestAuth {
  ctx: AuthContext | null;
  token: string | null;
}

export class HttpAuth {
  private readonly resolved = new WeakMap<FastifyRequest, Promise<RequestAuth>>();

  constructor(
    private readonly auth: AuthService,
    private readonly allowedOrigins: readonly string[],
  ) {}

  /** The caller, or null when anonymous. A bad bearer token is an error, not anonymity. */
  optional(request: FastifyRequest): Promise<AuthContext | null> {
    return this.resolve(request).then((r) => r.ctx);
  }

  async required(request: FastifyRequest): Promise<AuthContext> {
    const ctx = await this.optional(request);
    if (!ctx) throw unauthorized();
    return ctx;
  }

  private resolve(request: FastifyRequest): Promise<RequestAuth> {
    let pending = this.resolved.get(request);
    if (!pending) {
      pending = this.compute(request);
      this.resolved.set(request, pending);
    }
    return pending;
  }

  private async compute(request: FastifyRequest): Promise<RequestAuth> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = bearerToken(header);
      const ctx = token ? await this.auth.authenticate(token) : null;
      if (!ctx) throw unauthorized("invalid or expired token");
      return { ctx, token };
    }
    const cookie = readCookieToken(request.headers.cookie);
    if (cookie === null) return { ctx: null, token: null };
    // Fastify's host and protocol follow forwarded headers only from a trusted proxy.
    const site = { host: request.host, protocol: request.protocol };
    if (!SAFE_METHODS.has(request.method) && !isAllowedOrigin(request.headers, site, this.allowedOrigins)) {
      throw new AppError("forbidden", "cross-origin request rejected");
    }
    // An expired cookie makes the caller anonymous rather than locking them out of public pages.
    return { ctx: await this.auth.authenticate(cookie), token: cookie };
  }
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: IssuedSession): void {
  reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: request.protocol === "https",
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}
