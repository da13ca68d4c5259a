/** The moderation routes of a channel (docs/api.md "Moderation"). */
import { ROLES, SafeString, Seq, UserStatusKind } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import { MAX_TIMEOUT_SEC, MODLOG_PAGE_MAX } from "../../moderation/moderation-service.js";
import { ChannelItemParams, ChannelParams, channelName } from "../schemas.js";
import type { App, Services } from "../services.js";

const Username = SafeString({ minLength: 1, maxLength: 64 });
const Reason = SafeString({ maxLength: 2000 });
export const SanctionBody = Type.Object({
  username: Username,
  durationSec: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TIMEOUT_SEC })),
  reason: Type.Optional(Reason),
});
const UserParams = Type.Object({ name: ChannelParams.properties.name, username: Username });
const RoleBody = Type.Object({ role: Type.Union(ROLES.filter((r) => r !== "owner").map((r) => Type.Literal(r))) });
const StatusBody = Type.Object({ status: UserStatusKind, reason: Type.Optional(Reason) });
const ModlogQuery = Type.Object({
  before: Type.Optional(Seq(1)),
  action: Type.Optional(SafeString({ maxLength: 64 })),
  target: Type.Optional(Username),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MODLOG_PAGE_MAX })),
});

export function moderationRoutes(app: App, s: Services): void {
  const tags = ["moderation"];

  app.post(
    "/api/channels/:name/bans",
    {
      schema: {
        tags,
        summary: "ban a user, or time them out (with durationSec)",
        params: ChannelParams,
        body: SanctionBody,
      },
    },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      const ban = await s.moderation.sanction(ctx, channelName(request.params.name), request.body);
      return reply.status(201).send({ ban });
    },
  );

  app.delete(
    "/api/channels/:name/bans/:username",
    { schema: { tags, summary: "lift a ban or timeout", params: UserParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.moderation.lift(ctx, channelName(request.params.name), request.params.username);
      return reply.status(204).send();
    },
  );

  app.get(
    "/api/channels/:name/bans",
    { schema: { tags, summary: "active bans and timeouts", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { bans: await s.moderation.sanctions(ctx, channelName(request.params.name)) };
    },
  );

  app.post(
    "/api/channels/:name/clear",
    { schema: { tags, summary: "clear the chat for everyone", params: ChannelParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.moderation.clear(ctx, channelName(request.params.name));
      return reply.status(204).send();
    },
  );

  app.put(
    "/api/channels/:name/roles/:username",
    { schema: { tags, summary: "give a user a channel role", params: UserParams, body: RoleBody } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      const { username } = request.params;
      await s.moderation.setRole(ctx, channelName(request.params.name), username, request.body.role);
      return { username: username.toLowerCase(), role: request.body.role };
    },
  );

  app.get(
    "/api/channels/:name/me",
    {
      schema: {
        tags,
        summary: "the caller's role, ban or timeout and follow in the channel",
        params: ChannelParams,
      },
    },
    async (request) => s.moderation.standing(await s.httpAuth.optional(request), channelName(request.params.name)),
  );

  app.get(
    "/api/channels/:name/suspicious",
    { schema: { tags, summary: "users marked restricted or monitored", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { users: await s.moderation.statuses(ctx, channelName(request.params.name)) };
    },
  );

  app.put(
    "/api/channels/:name/suspicious/:username",
    {
      schema: {
        tags,
        summary: "mark a user restricted (messages held for review) or monitored (flagged to moderators)",
        params: UserParams,
        body: StatusBody,
      },
    },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      const { name, username } = request.params;
      const user = await s.moderation.setStatus(
        ctx,
        channelName(name),
        username,
        request.body.status,
        request.body.reason,
      );
      return { user };
    },
  );

  app.delete(
    "/api/channels/:name/suspicious/:username",
    { schema: { tags, summary: "lift a restricted or monitored mark", params: UserParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.moderation.clearStatus(ctx, channelName(request.params.name), request.params.username);
      return reply.status(204).send();
    },
  );

  app.get(
    "/api/channels/:name/held",
    { schema: { tags, summary: "messages held for review, oldest first", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { held: await s.moderation.held(ctx, channelName(request.params.name)) };
    },
  );

  for (const verdict of ["approve", "deny"] as const) {
    app.post(
      `/api/channels/:name/held/:id/${verdict}`,
      {
        schema: {
          tags,
          summary: verdict === "approve" ? "publish a held message" : "drop a held message",
          params: ChannelItemParams,
        },
      },
      async (request, reply) => {
        const ctx = await s.httpAuth.required(request);
        const { name, id } = request.params;
        const message = await s.moderation.resolveHeld(ctx, channelName(name), id, verdict === "approve");
        return message ? { message } : reply.status(204).send();
      },
    );
  }

  app.get(
    "/api/channels/:name/modlog",
    {
      schema: {
        tags,
        summary: "the moderation audit log, newest first",
        params: ChannelParams,
        querystring: ModlogQuery,
      },
    },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { entries: await s.moderation.modlog(ctx, channelName(request.params.name), request.query) };
    },
  );
}
