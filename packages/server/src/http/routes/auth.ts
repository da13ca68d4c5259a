import type { FastifyRequest } from "fastify";
import { toPublicUser } from "../../auth/users.js";
import { clearSessionCookie, setSessionCookie } from "../auth.js";
import { Credentials, GuestBody } from "../schemas.js";
import type { App, Services } from "../services.js";

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
    const ctx = await s.httpAuth.required(request);
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
