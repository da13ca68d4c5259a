/**
 * Single-channel shortcuts (docs/api.md): the same operations on `main`, for sites that run one
 * stream. Each delegates to the service the full route uses; none has logic of its own.
 */

import { Nonce, ResourceId, SafeString } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import { invalid } from "../../errors.js";
import { GuestBody, HistoryQuery, LiveBody, MessageText, PostMessageBody, SseHeaders, SseQuery } from "../schemas.js";
import type { App, Services } from "../services.js";
import { guest } from "./auth.js";
import { users } from "./channels.js";
import { streamEvents } from "./events.js";
import { postMessage } from "./messages.js";

const MAIN = "main";

const ModerationBody = Type.Object({
  action: Type.Union([Type.Literal("delete"), Type.Literal("timeout"), Type.Literal("ban"), Type.Literal("unban")]),
  messageId: Type.Optional(ResourceId),
  username: Type.Optional(SafeString({ maxLength: 64 })),
  durationSec: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_209_600 })),
  reason: Type.Optional(SafeString({ maxLength: 500 })),
});

export function shortcutRoutes(app: App, s: Services): void {
  const tags = ["single-channel shortcuts"];
  app.post("/api/chat/join", { schema: { tags, body: GuestBody } }, (request, reply) =>
    guest(s, request, reply, request.body.username),
  );

  app.post(
    "/api/chat/comment",
    {
      schema: {
        tags,
        body: Type.Object({
          message: MessageText,
          nonce: Type.Optional(Nonce),
        }),
      },
    },
    (request, reply) => postMessage(s, request, reply, MAIN, { text: request.body.message, nonce: request.body.nonce }),
  );

  app.get("/api/sse/stream", { schema: { tags, querystring: SseQuery, headers: SseHeaders } }, (request, reply) =>
    streamEvents(s, request, reply, MAIN, request.query),
  );

  app.get("/api/livestream", { schema: { tags } }, async () => ({ channel: await s.channels.get(MAIN) }));

  app.post("/api/livestream", { schema: { tags, body: Type.Optional(LiveBody) } }, async (request, reply) => {
    const ctx = await s.httpAuth.required(request);
    const { broadcast, started } = await s.broadcasts.goLive(ctx, MAIN, request.body ?? {});
    return reply.status(started ? 201 : 200).send({ broadcast, channel: await s.channels.get(MAIN) });
  });

  app.get("/api/messages", { schema: { tags, querystring: HistoryQuery } }, async (request) => ({
    messages: await s.chat.history(MAIN, request.query),
  }));

  app.post("/api/messages", { schema: { tags, body: PostMessageBody } }, (request, reply) =>
    postMessage(s, request, reply, MAIN, request.body),
  );

  app.post("/api/chat/moderation", { schema: { tags, body: ModerationBody } }, async (request, reply) => {
    const ctx = await s.httpAuth.required(request);
    const { action, messageId, username, durationSec, reason } = request.body;
    if (action === "delete") {
      if (messageId === undefined) throw invalid("messageId is required for delete");
      await s.moderation.deleteMessage(ctx, MAIN, messageId);
      return reply.status(204).send();
    }
    if (username === undefined) throw invalid(`username is required for ${action}`);
    if (action === "unban") {
      await s.moderation.lift(ctx, MAIN, username);
      return reply.status(204).send();
    }
    if (action === "timeout" && durationSec === undefined) throw invalid("durationSec is required for timeout");
    const ban = await s.moderation.sanction(ctx, MAIN, {
      username,
      durationSec: action === "timeout" ? durationSec : undefined,
      reason,
    });
    return reply.status(201).send({ ban });
  });

  app.get("/api/chat/users", { schema: { tags } }, () => users(s, MAIN));
}
