import { BlockedTerm, ChannelSettings, LIMITS, SafeString } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import { exportStream } from "../../channels/transcript-export.js";
import { ChannelItemParams, ChannelParams, channelName, HistoryQuery, LiveBody, Title } from "../schemas.js";

const TranscriptQuery = Type.Object({
  ...HistoryQuery.properties,
  /** Include deleted messages as placeholders (replay shows them as deleted). */
  deleted: Type.Optional(Type.Boolean()),
});

import type { App, Services } from "../services.js";

// Any subset of the settings, each validated by the one schema in the protocol package; a
// blocked term may also be a plain string (meaning `reject`).
const SettingsPatch = Type.Partial(
  Type.Object({
    ...ChannelSettings.properties,
    blockedTerms: Type.Array(Type.Union([BlockedTerm.properties.term, BlockedTerm]), {
      maxItems: LIMITS.blockedTermsMax,
    }),
  }),
  { additionalProperties: false },
);

export function channelRoutes(app: App, s: Services): void {
  const tags = ["channels"];
  app.get("/api/channels", { schema: { tags } }, async () => ({ channels: await s.channels.list() }));

  app.post(
    "/api/channels",
    {
      schema: {
        tags,
        body: Type.Object({
          name: SafeString({ maxLength: 64 }),
          title: Type.Optional(Title),
        }),
      },
    },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      const channel = await s.channels.create(ctx, request.body.name, request.body.title);
      return reply.status(201).send({ channel });
    },
  );

  app.get("/api/channels/:name", { schema: { tags, params: ChannelParams } }, async (request) => ({
    channel: await s.channels.get(channelName(request.params.name)),
  }));

  app.patch(
    "/api/channels/:name",
    {
      schema: {
        tags,
        params: ChannelParams,
        body: Type.Object({
          title: Type.Optional(Title),
          settings: Type.Optional(SettingsPatch),
        }),
      },
    },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { channel: await s.channels.update(ctx, channelName(request.params.name), request.body) };
    },
  );

  app.post(
    "/api/channels/:name/follow",
    { schema: { tags, summary: "follow the channel", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return s.channels.follow(ctx, channelName(request.params.name));
    },
  );

  app.delete(
    "/api/channels/:name/follow",
    { schema: { tags, summary: "unfollow the channel", params: ChannelParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.channels.unfollow(ctx, channelName(request.params.name));
      return reply.status(204).send();
    },
  );

  app.delete("/api/channels/:name", { schema: { tags, params: ChannelParams } }, async (request, reply) => {
    const ctx = await s.httpAuth.required(request);
    await s.channels.remove(ctx, channelName(request.params.name));
    return reply.status(204).send();
  });

  app.post(
    "/api/channels/:name/live",
    { schema: { tags, params: ChannelParams, body: Type.Optional(LiveBody) } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      const name = channelName(request.params.name);
      const { broadcast, started } = await s.broadcasts.goLive(ctx, name, request.body ?? {});
      return reply.status(started ? 201 : 200).send({ broadcast, channel: await s.channels.get(name) });
    },
  );

  app.delete("/api/channels/:name/live", { schema: { tags, params: ChannelParams } }, async (request) => {
    const ctx = await s.httpAuth.required(request);
    const name = channelName(request.params.name);
    const broadcast = await s.broadcasts.endLive(ctx, name);
    return { broadcast, channel: await s.channels.get(name) };
  });

  app.get("/api/channels/:name/broadcasts", { schema: { tags, params: ChannelParams } }, async (request) => ({
    broadcasts: await s.broadcasts.list(channelName(request.params.name)),
  }));

  app.get(
    "/api/channels/:name/broadcasts/:id",
    { schema: { tags, summary: "one broadcast (past or live)", params: ChannelItemParams } },
    async (request) => ({
      broadcast: await s.broadcasts.get(channelName(request.params.name), request.params.id),
    }),
  );

  app.get(
    "/api/channels/:name/broadcasts/:id/messages",
    {
      schema: {
        tags,
        params: ChannelItemParams,
        querystring: TranscriptQuery,
      },
    },
    async (request) => ({
      messages: await s.broadcasts.transcript(channelName(request.params.name), request.params.id, request.query),
    }),
  );

  app.get(
    "/api/channels/:name/broadcasts/:id/export",
    {
      schema: {
        tags,
        summary: "the whole transcript as a JSON or CSV download, streamed",
        params: ChannelItemParams,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])) }),
      },
    },
    async (request, reply) => {
      const name = channelName(request.params.name);
      const broadcast = await s.broadcasts.get(name, request.params.id);
      const format = request.query.format ?? "json";
      return reply
        .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="${name}-${broadcast.id}.${format}"`)
        .send(exportStream(format, broadcast, s.broadcasts.pages(name, broadcast.id)));
    },
  );

  app.get("/api/channels/:name/users", { schema: { tags, params: ChannelParams } }, async (request) =>
    users(s, channelName(request.params.name)),
  );
}

export async function users(s: Services, name: string) {
  const state = await s.channels.state(name);
  const [counts, chatters] = await Promise.all([s.presence.counts(name), s.presence.chatters(name, 1000)]);
  // A banned user is no longer one of the channel's chatters, even while still connected.
  const banned = new Set([...state.sanctions.values()].filter((b) => b.kind === "ban").map((b) => b.username));
  return { viewers: counts.viewers, chatters: chatters.filter((c) => !banned.has(c.username)) };
}
