/** Ingest from other platforms (docs/api.md "Ingest"): ingest keys and the ingest endpoints. */
import { INGEST_PLATFORMS, IngestBody, type IngestItem, type IngestPlatform, SafeString } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { forbidden } from "../../errors.js";
import { ChannelItemParams, ChannelParams, channelName } from "../schemas.js";
import type { App, Services } from "../services.js";

const Platform = Type.Union(INGEST_PLATFORMS.map((p) => Type.Literal(p)));
const IngestParams = Type.Object({ name: ChannelParams.properties.name, platform: Platform });
const ProducerParams = Type.Object({ platform: Platform });
const KeyBody = Type.Object({ label: Type.Optional(SafeString({ maxLength: 200 })) });

/** The bearer secret of an ingest request (never a session: keys are their own credential). */
function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function asItems(body: IngestBody): IngestItem[] {
  return Array.isArray(body) ? body : [body];
}

export function ingestRoutes(app: App, s: Services): void {
  const tags = ["ingest"];
  const bodyLimit = s.config.limits.ingestBodyMaxBytes;

  app.post(
    "/api/channels/:name/ingest-keys",
    {
      schema: {
        tags,
        summary: "create an ingest key (its secret is shown once)",
        params: ChannelParams,
        body: KeyBody,
      },
    },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      const created = await s.ingestKeys.create(ctx, channelName(request.params.name), request.body.label);
      return reply.status(201).send(created);
    },
  );

  app.get(
    "/api/channels/:name/ingest-keys",
    { schema: { tags, summary: "the channel's ingest keys, never their secrets", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { keys: await s.ingestKeys.list(ctx, channelName(request.params.name)) };
    },
  );

  app.delete(
    "/api/channels/:name/ingest-keys/:id",
    { schema: { tags, summary: "revoke an ingest key, at once on every node", params: ChannelItemParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.ingestKeys.revoke(ctx, channelName(request.params.name), request.params.id);
      return reply.status(204).send();
    },
  );

  const ConnectorParams = Type.Object({ name: ChannelParams.properties.name, platform: SafeString({ maxLength: 32 }) });

  app.put(
    "/api/channels/:name/connectors/:platform",
    {
      schema: {
        tags,
        summary: "mirror another platform's chat into this channel (Twitch: source is the Twitch channel)",
        params: ConnectorParams,
        body: Type.Object({ source: SafeString({ minLength: 1, maxLength: 200 }) }),
      },
    },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      const { name, platform } = request.params;
      return { connector: await s.connectors.put(ctx, channelName(name), platform, request.body.source) };
    },
  );

  app.get(
    "/api/channels/:name/connectors",
    { schema: { tags, summary: "the channel's connectors and their state", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { connectors: await s.connectors.list(ctx, channelName(request.params.name)) };
    },
  );

  app.delete(
    "/api/channels/:name/connectors/:platform",
    { schema: { tags, summary: "stop a connector", params: ConnectorParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.connectors.remove(ctx, channelName(request.params.name), request.params.platform);
      return reply.status(204).send();
    },
  );

  const AccountParams = Type.Object({ name: ChannelParams.properties.name, platform: SafeString({ maxLength: 32 }) });

  app.put(
    "/api/channels/:name/platform-accounts/:platform",
    {
      schema: {
        tags,
        summary: "link the owner's account on a platform (an OAuth token, validated and stored encrypted)",
        params: AccountParams,
        body: Type.Object({ token: SafeString({ minLength: 1, maxLength: 512 }) }),
      },
    },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      const { name, platform } = request.params;
      return { account: await s.origin.link(ctx, channelName(name), platform, request.body.token) };
    },
  );

  app.get(
    "/api/channels/:name/platform-accounts",
    { schema: { tags, summary: "the linked platform accounts (never their tokens)", params: ChannelParams } },
    async (request) => {
      const ctx = await s.httpAuth.required(request);
      return { accounts: await s.origin.accounts(ctx, channelName(request.params.name)) };
    },
  );

  app.delete(
    "/api/channels/:name/platform-accounts/:platform",
    { schema: { tags, summary: "unlink a platform account (its token is deleted)", params: AccountParams } },
    async (request, reply) => {
      const ctx = await s.httpAuth.required(request);
      await s.origin.unlink(ctx, channelName(request.params.name), request.params.platform);
      return reply.status(204).send();
    },
  );

  const ingest = async (
    channel: string | null,
    platform: IngestPlatform,
    request: FastifyRequest,
    body: IngestBody,
  ) => {
    const key = await s.ingestKeys.authenticate(bearer(request));
    if (channel !== null && key.channel !== channel) {
      throw forbidden("this ingest key belongs to another channel");
    }
    return { results: await s.ingest.ingest(key.channel, platform, asItems(body)) };
  };

  app.post(
    "/api/channels/:name/ingest/:platform",
    {
      bodyLimit,
      schema: {
        tags,
        summary: "publish messages from another platform (one item or up to 100), with an ingest key",
        params: IngestParams,
        body: IngestBody,
      },
    },
    (request) => ingest(channelName(request.params.name), request.params.platform, request, request.body),
  );

  app.post(
    "/api/producers/:platform",
    {
      bodyLimit,
      schema: {
        tags: ["single-channel shortcuts"],
        summary: "ingest into the channel the ingest key belongs to",
        params: ProducerParams,
        body: IngestBody,
      },
    },
    (request) => ingest(null, request.params.platform, request, request.body),
  );
}
