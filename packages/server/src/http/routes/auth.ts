import type { FastifyRequest } from "fastify";
import { toPublicUser } from "../../auth/users.js";
import { AppError } from "../../errors.js";
import { bearerToken } from "../../realtime/origin.js";
import { clearSessionCookie, setSessionCookie } from "../auth.js";
import { Credentials, GuestBody } from "../schemas.js";
import type { App, Services } from "../services.js";
import { readCookieToken } from "../session-cookie.js";

export function authRoutes(app: App, s: Services): void {
  const tags = ["auth"];
  app.post("/api/auth/register", { schema: { tags, body: Credentials } }, async (request, reply) => {
    const session = await s.auth.register(request.body.username, request.body.password, request.ip);
    setSessionCookie(request, reply, session);
    return reply.status(201).send({ user: session.user, token: session.token });
  });

  app.post("/api/auth/login", { schema: { tags, body: Credentials } }, async (request, reply) => {
    const session = await s.auth.login(request.body.username, request.body.password, request.ip);
    setSessionCookie(request, reply, session);
    return { user: session.user, token: session.token };
  });

  app.post("/api/auth/guest", { schema: { tags, body: GuestBody } }, (request, reply) =>
    guest(s, request, reply, request.body.username),
  );

  app.post("/api/auth/logout", { schema: { tags } }, async (request, reply) => {
    const ctx = await s.httpAuth.required(request).catch(async (error: unknown) => {
      // A site-banned account may still sign out: its session ends and its cookie goes
      // (or the browser would send a refused cookie with every request until it expires).
      if (!(error instanceof AppError && error.code === "banned")) throw error;
      const header = request.headers.authorization;
      const token = header !== undefined ? bearerToken(header) : readCookieToken(request.headers.cookie);
      const banned = token === null ? null : await s.auth.authenticate(token, { evenIfBanned: true });
      if (!banned) throw error;
      return banned;
    });
    await s.auth.logout(ctx);
    clearSessionCookie(reply);
    return reply.status(204).send();
  });

  app.get("/api/me", { schema: { tags } }, async (request) => {
    const ctx = await s.httpAuth.required(request);
    return { user: toPublicUser(ctx.user) };
  });
}

export async function guest(
  s: Services,
  request: FastifyRequest,
  reply: import("fastify").FastifyReply,
  username: string,
) {
  const session = await s.auth.guest(username, request.ip);
  setSessionCookie(request, reply, session);
  return reply.status(201).send({ user: session.user, token: session.token });
}
