import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { invalid } from "../../errors.js";
import { TICKET_TTL_MS } from "../../realtime/connection-tickets.js";
import { ChannelParams, channelName, SseHeaders, SseQuery } from "../schemas.js";
import type { App, Services } from "../services.js";

export function eventRoutes(app: App, s: Services): void {
  app.get(
    "/api/channels/:name/events",
    {
      schema: {
        tags: ["realtime"],
        params: ChannelParams,
        querystring: SseQuery,
        headers: SseHeaders,
        description: "Server-Sent Events; resumes from Last-Event-ID or `since`",
      },
    },
    (request, reply) => streamEvents(s, request, reply, channelName(request.params.name), request.query),
  );

  app.post(
    "/api/realtime/tickets",
    {
      schema: {
        tags: ["realtime"],
        summary: `a single-use ticket (valid ${TICKET_TTL_MS / 1000} s) to open a WebSocket or SSE stream as this session`,
        response: { 201: Type.Object({ ticket: Type.String(), expiresAt: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      return reply.status(201).send(await s.tickets.issue(ctx));
    },
  );
}

export async function streamEvents(
  s: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  channel: string,
  query: { since?: number | undefined; ticket?: string | undefined },
) {
  await s.channels.state(channel);
  // A ticket stands for a session without a token in the URL; otherwise the header or cookie.
  const ctx = query.ticket !== undefined ? await s.tickets.redeem(query.ticket) : await s.httpAuth.optional(request);
  const lastEventId = request.headers["last-event-id"];
  let since = query.since;
  if (typeof lastEventId === "string" && lastEventId !== "") {
    const n = Number(lastEventId);
    if (!Number.isSafeInteger(n) || n < 0) throw invalid("Last-Event-ID must be a seq");
    since = n;
  }
  // A HEAD has no body, so it gets the stream's headers and no stream (found by the fuzzer:
  // Node held the headers back until the response ended, which a stream never does).
  if (request.method === "HEAD") {
    return reply
      .status(200)
      .header("content-type", "text/event-stream; charset=utf-8")
      .header("cache-control", "no-cache")
      .send();
  }
  // Per-IP connection limits, answered as a JSON 429 before the stream starts.
  const release = await s.sse.admit(request.ip);
  reply.hijack();
  await s.sse.open(reply.raw, channel, since, ctx?.user ?? null, ctx?.sessionId ?? null, request.ip, release);
}
