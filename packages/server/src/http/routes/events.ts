import type { FastifyReply, FastifyRequest } from "fastify";
import { invalid } from "../../errors.js";
import { ChannelParams, channelName, SinceQuery, SseHeaders } from "../schemas.js";
import type { App, Services } from "../services.js";

export function eventRoutes(app: App, s: Services): void {
  app.get(
    "/api/channels/:name/events",
    {
      schema: {
        tags: ["realtime"],
        params: ChannelParams,
        querystring: SinceQuery,
        headers: SseHeaders,
        description: "Server-Sent Events; resumes from Last-Event-ID or `since`",
      },
    },
    (request, reply) => streamEvents(s, request, reply, channelName(request.params.name), request.query.since),
  );
}

export async function streamEvents(
  s: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  channel: string,
  sinceQuery: number | undefined,
) {
  await s.channels.state(channel);
  const ctx = await s.httpAuth.optional(request);
  const lastEventId = request.headers["last-event-id"];
  let since = sinceQuery;
  if (typeof lastEventId === "string" && lastEventId !== "") {
    const n = Number(lastEventId);
    if (!Number.isSafeInteger(n) || n < 0) throw invalid("Last-Event-ID must be a seq");
    since = n;
  }
  // Per-IP connection limits, answered as a JSON 429 before the stream starts.
  const release = await s.sse.admit(request.ip);
  reply.hijack();
  await s.sse.open(reply.raw, channel, since, ctx?.user ?? null, ctx?.sessionId ?? null, request.ip, release);
}
