/** Site administration (docs/api.md "Administration"): site-wide bans by account or address range. */
import { ResourceId, SafeString, SiteBan } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import type { AuthContext } from "../../auth/auth-service.js";
import { forbidden } from "../../errors.js";
import type { App, Services } from "../services.js";

/** Longest site ban with an end (a year); without `durationSec` it lasts until lifted. */
const MAX_SITE_BAN_SEC = 365 * 24 * 3600;

const SiteBanBody = Type.Object({
  username: Type.Optional(SafeString({ minLength: 1, maxLength: 64 })),
  cidr: Type.Optional(SafeString({ minLength: 1, maxLength: 64 })),
  reason: Type.Optional(SafeString({ maxLength: 2000 })),
  durationSec: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SITE_BAN_SEC })),
});

async function admin(s: Services, request: Parameters<Services["httpAuth"]["required"]>[0]): Promise<AuthContext> {
  const ctx = await s.httpAuth.required(request);
  if (!ctx.user.isAdmin) throw forbidden("admins only");
  return ctx;
}

export function adminRoutes(app: App, s: Services): void {
  const tags = ["administration"];
  app.get(
    "/api/admin/bans",
    {
      schema: {
        tags,
        summary: "the active site-wide bans, oldest first",
        response: { 200: Type.Object({ bans: Type.Array(SiteBan) }) },
      },
    },
    async (request) => {
      await admin(s, request);
      return { bans: s.siteBans.list() };
    },
  );

  app.post(
    "/api/admin/bans",
    {
      schema: {
        tags,
        summary: "ban an account (username) or an address range (cidr) from the whole site",
        body: SiteBanBody,
        response: { 201: Type.Object({ ban: SiteBan }) },
      },
    },
    async (request, reply) => {
      const ctx = await admin(s, request);
      const ban = await s.siteBans.create(ctx.user, request.body, request.ip);
      return reply.status(201).send({ ban });
    },
  );

  app.delete(
    "/api/admin/bans/:id",
    { schema: { tags, summary: "lift a site-wide ban", params: Type.Object({ id: ResourceId }) } },
    async (request, reply) => {
      await admin(s, request);
      await s.siteBans.lift(request.params.id);
      return reply.status(204).send();
    },
  );
}
