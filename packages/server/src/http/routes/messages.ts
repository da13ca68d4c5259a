import type { FastifyReply, FastifyRequest } from "fastify";
import type { PostInput } from "../../chat/chat-service.js";
import { ChannelItemParams, ChannelParams, channelName, HistoryQuery, PostMessageBody } from "../schemas.js";
import type { App, Services } from "../services.js";

export function messageRoutes(app: App, s: Services): void {
  const tags = ["messages"];
  app.post(
    "/api/channels/:name/messages",
    { schema: { tags, params: ChannelParams, body: PostMessageBody } },
    (request, reply) => postMessage(s, request, reply, channelName(request.params.name), request.body),
  );

  app.get(
    "/api/channels/:name/messages",
    { schema: { tags, params: ChannelParams, querystring: HistoryQuery } },
    async (request) => ({
      messages: await s.chat.history(channelName(request.params.name), request.query),
    }),
  );

  app.delete(
    "/api/channels/:name/messages/:id",
    { schema: { tags, params: ChannelItemParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.moderation.deleteMessage(ctx, channelName(request.params.name), request.params.id);
      return reply.status(204).send();
    },
  );
}

/** 201 once durably logged; a repeated nonce answers 200 with the original message; 202 when held for review. */
export async function postMessage(
  s: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  channel: string,
  input: PostInput,
) {
  const ctx = await s.httpAuth.required(request);
  const { message, duplicate, heldId } = await s.chat.post(ctx, channel, input, request.ip);
  // Held for review: accepted, not published; never silently dropped.
  if (heldId !== undefined) return reply.status(202).send({ held: true, id: heldId });
  return reply.status(duplicate ? 200 : 201).send({ message });
}
