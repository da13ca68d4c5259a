/**
 * Composition root: picks the adapters for the configuration, builds the services, the HTTP
 * app and the real-time gateways, and owns the order of start and graceful shutdown.
 */
import type { IngestPlatform } from "@chorus/protocol";
import fastifyCookie from "@fastify/cookie";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController } from "fastify";
import { type Logger, pino } from "pino";
import { openAdapters } from "./adapters/open-adapters.js";
import { bannedError, SiteBans } from "./admin/site-bans.js";
import { AnalysisService, DEFAULT_ANALYSIS_OPTIONS } from "./analysis/analysis-service.js";
import { analyzeSentiment } from "./analysis/analyzer.js";
import { createSummariser, type Summariser } from "./analysis/llm-summariser.js";
import { createSentimentPool } from "./analysis/worker-pool.js";
import { AuthService } from "./auth/auth-service.js";
import { type LoginThrottleOptions, loginThrottleRules } from "./auth/login-throttle.js";
import { TokenSigner } from "./auth/tokens.js";
import { BroadcastService } from "./channels/broadcasts.js";
import { ChannelCache } from "./channels/channel-cache.js";
import { ChannelService } from "./channels/channel-service.js";
import { RetentionJob } from "./channels/retention.js";
import { ChatService, type SentimentSource } from "./chat/chat-service.js";
import type { Config } from "./config.js";
import { ConnectorService } from "./connectors/connector-service.js";
import { IngestSink } from "./connectors/ingest-sink.js";
import { KickProducer } from "./connectors/kick/kick-producer.js";
import { KICK_PUBLIC_KEY, kickKey } from "./connectors/kick/kick-webhook.js";
import { OriginModeration } from "./connectors/origin-moderation.js";
import { connectorFactory, PASSIVE_PLATFORMS } from "./connectors/registry.js";
import { ConnectorSupervisor } from "./connectors/supervisor.js";
import { HelixClient } from "./connectors/twitch/helix.js";
import { YouTubeModeration } from "./connectors/youtube/youtube-moderation.js";
import { TokenBox } from "./crypto/token-box.js";
import { HttpAuth } from "./http/auth.js";
import { installErrorHandling } from "./http/errors.js";
import { clientErrorHandler, frameworkErrors } from "./http/pre-routing-errors.js";
import { adminRoutes } from "./http/routes/admin.js";
import { analysisRoutes } from "./http/routes/analysis.js";
import { authRoutes } from "./http/routes/auth.js";
import { channelRoutes } from "./http/routes/channels.js";
import { eventRoutes } from "./http/routes/events.js";
import { ingestRoutes } from "./http/routes/ingest.js";
import { messageRoutes } from "./http/routes/messages.js";
import { moderationRoutes } from "./http/routes/moderation.js";
import { opsRoutes } from "./http/routes/ops.js";
import { shortcutRoutes } from "./http/routes/shortcuts.js";
import { webRoutes } from "./http/routes/web.js";
import { webhookRoutes } from "./http/routes/webhooks.js";
import { wsRoutes } from "./http/routes/ws.js";
import type { App, Services } from "./http/services.js";
import { SESSION_COOKIE } from "./http/session-cookie.js";
import { validatorCompiler } from "./http/validation.js";
import { ExternalAuthors } from "./ingest/external-authors.js";
import { IngestKeys } from "./ingest/ingest-keys.js";
import { IngestService } from "./ingest/ingest-service.js";
import { Metrics } from "./metrics.js";
import { HeldQueue, type NotifyModerators } from "./moderation/held-queue.js";
import { ModerationService } from "./moderation/moderation-service.js";
import type { LimiterRules } from "./ports/limiter.js";
import { Audiences } from "./realtime/audiences.js";
import { ConnectionAdmission } from "./realtime/connection-admission.js";
import { ConnectionTickets } from "./realtime/connection-tickets.js";
import { Hub } from "./realtime/hub.js";
import { proxyTrust } from "./realtime/origin.js";
import { PresenceTracker } from "./realtime/presence-tracker.js";
import { SseGateway } from "./realtime/sse-gateway.js";
import { WsGateway } from "./realtime/ws-gateway.js";

/** Pending connections the kernel may queue for us (see listen below). */
const LISTEN_BACKLOG = 4096;

export interface RegisteredRoute {
  method: string;
  url: string;
}

export interface RunningServer {
  url: string;
  port: number;
  app: App;
  services: Services;
  /** Every route Fastify registered (HEAD twins included), so a test can hold the OpenAPI document to it. */
  routes: readonly RegisteredRoute[];
  /** Graceful shutdown: stop accepting, tell clients to reconnect, drain the log, close the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger?: Logger): Promise<RunningServer> {
  const log0 =
    logger ??
    pino({
      level: config.logLevel,
      redact: {
        paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token"],
        censor: "[redacted]",
      },
    });
  const metrics = new Metrics();
  const loginOptions: LoginThrottleOptions = {
    freeFailures: config.limits.loginFreeFailures,
    backoffMaxSec: config.limits.loginBackoffMaxSec,
    failuresPerIpPerDay: config.limits.loginFailuresPerIpPerDay,
  };
  const rules: LimiterRules = {
    message: { points: config.limits.messagesPerWindow, durationSec: config.limits.messageWindowSec },
    message_privileged: {
      points: config.limits.privilegedMessagesPerWindow,
      durationSec: config.limits.messageWindowSec,
    },
    auth: { points: config.limits.authPerMinute, durationSec: 60 },
    guest_ip: { points: config.limits.guestsPerIpPerHour, durationSec: 3600 },
    guest_message_ip: {
      points: config.limits.guestMessagesPerIpPerWindow,
      durationSec: config.limits.messageWindowSec,
    },
    connect_ip: { points: config.limits.connectsPerIpPerSec, durationSec: 1 },
    ...loginThrottleRules(loginOptions),
  };
  const adapters = await openAdapters(config, rules, log0, metrics);
  const { store, log, presence, limiter, bus } = adapters;

  const siteBans = new SiteBans(store);
  await siteBans.reload();
  const secret = config.jwtSecret ?? (await store.secrets.getOrCreate("jwt", randomSecret()));
  const auth = new AuthService(store, new TokenSigner(secret), limiter, {
    sessionTtlSec: config.sessionTtlSec,
    botUsers: config.botUsers,
    login: loginOptions,
    siteBans,
  });
  if (config.adminUsername && config.adminPassword) await auth.ensureAdmin(config.adminUsername, config.adminPassword);

  const channelCache = new ChannelCache(store, log);
  const channels = new ChannelService(store, log, presence, channelCache);
  const broadcasts = new BroadcastService(store, log, channelCache, presence);
  await channels.init();
  // Moderator-only events reach every node's moderators through the bus (the hub is per node).
  const notifyModerators: NotifyModerators = (channel, event) => {
    bus
      .publish({ type: "moderator_event", channel, event })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed"));
  };
  const chat = new ChatService(store, log, channels, auth, limiter, metrics, new HeldQueue(store, notifyModerators));
  // Sentiment is worked out off the event loop; a message never waits long for it (config.analysis).
  const sentimentPool =
    config.analysis.enabled && config.analysis.sentimentWorkers > 0
      ? createSentimentPool({
          workers: config.analysis.sentimentWorkers,
          maxPending: config.analysis.sentimentMaxPending,
          timeoutMs: config.analysis.sentimentTimeoutMs,
          transport: config.analysis.sentimentTransport,
          onEvent: (event) => {
            if (event === "worker_crashed") log0.warn("a sentiment worker crashed; replacing it");
          },
        })
      : null;
  if (sentimentPool)
    chat.useSentiment(
      sentimentPool,
      config.analysis.sentimentTransport === "ring" ? config.analysis.sentimentWaitMs : 0,
    );
  else if (config.analysis.enabled) chat.useSentiment(INLINE_SENTIMENT, Number.POSITIVE_INFINITY);
  // Messages that arrive while the workers still load would go out without sentiment.
  // And the first answers of a cold worker (its code not yet compiled) would miss their wait.
  if (sentimentPool) {
    const warm = async (): Promise<void> => {
      await sentimentPool.whenReady();
      for (let round = 0; round < 20; round++)
        await Promise.all(
          WARM_UP_LINES.map((line) => sentimentPool.analyze(line, round % 2 ? { Kappa: 1 } : undefined)),
        );
    };
    await Promise.race([warm(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  }
  let tokenBox: TokenBox | undefined;
  const origin = new OriginModeration(
    store,
    channels,
    new HelixClient({ auth: config.connectors.twitchAuthUrl, api: config.connectors.twitchApiUrl }),
    new YouTubeModeration(
      { oauth: config.connectors.googleOAuthUrl, api: config.connectors.youtubeApiUrl },
      config.connectors.youtubeApiKey,
    ),
    async () => {
      tokenBox ??= new TokenBox(
        config.connectors.tokenEncryptionKey ??
          (await store.secrets.getOrCreate("token-encryption-key", TokenBox.randomKey())),
      );
      return tokenBox;
    },
    notifyModerators,
    log0,
  );
  const moderation = new ModerationService(store, log, channels, chat, notifyModerators, origin);
  const ingest = new IngestService(chat, channels, log, new ExternalAuthors(store));
  const ingestKeys = new IngestKeys(store, channels, (id) => {
    bus
      .publish({ type: "ingest_key_revoked", id })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed"));
  });
  const kick = new KickProducer(store, ingest, kickKey(config.connectors.kickPublicKey ?? KICK_PUBLIC_KEY));
  const supervisor = new ConnectorSupervisor(
    store,
    adapters.leases,
    connectorFactory(config, log0),
    (channel, platform) => new IngestSink(channel, platform as IngestPlatform, ingest, log, store),
    log0,
    { scanMs: config.connectors.scanMs, statusWriteMs: 2_000, passive: PASSIVE_PLATFORMS },
    (count) => metrics.connectorsRunning.set(count),
  );
  const retention = new RetentionJob(store, adapters.leases, log0, config.retentionSweepMs);
  const connectors = new ConnectorService(store, channels, (channel) => {
    void supervisor.poke();
    bus
      .publish({ type: "connectors_changed", channel })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed"));
  });
  const hub = new Hub(metrics, {
    flushIntervalMs: config.flushIntervalMs,
    delayOf: (channel) => (channelCache.peek(channel)?.record.settings.chatDelaySec ?? 0) * 1000,
  });
  log.onEvents((channel, events) => hub.publish(channel, events));
  const analysis = new AnalysisService(
    {
      consumers: adapters.consumers,
      leases: adapters.leases,
      log,
      store,
      channels,
      presence,
      bus,
      summariser: summariserFor(config, metrics),
      deliverStats: (channel, stats) =>
        hub.publish(channel, [{ op: "event", channel, type: "stats", at: stats.at, data: stats }]),
      metrics,
      logger: log0,
    },
    {
      ...DEFAULT_ANALYSIS_OPTIONS,
      statsIntervalMs: config.analysis.statsIntervalMs,
      spikeBucketMs: config.analysis.spikeBucketMs,
      retryMs: config.analysis.leaderRetryMs,
    },
  );
  const tracker = new PresenceTracker(presence, hub, channels, log0, config.viewerCountIntervalMs);
  const audiences = new Audiences(hub, channels);
  const subscriptions = { hub, audiences, log, presence: tracker, maxReplayEvents: config.limits.maxReplayEvents };
  const tickets = new ConnectionTickets(adapters.tickets, auth);
  const admission = new ConnectionAdmission(limiter, adapters.connectionSlots, config.limits.connectionsPerIp, metrics);
  const sse = new SseGateway(
    subscriptions,
    metrics,
    { heartbeatMs: config.sseHeartbeatMs, connectionQueueMaxBytes: config.limits.connectionQueueMaxBytes },
    log0,
    admission,
  );
  const ws = new WsGateway(
    { auth, chat, channels, subscriptions, metrics, limits: config.limits, logger: log0, tickets },
    config.allowedOrigins,
    admission,
    proxyTrust(config.trustProxy),
    (address) => siteBans.forAddress(address) !== null,
  );
  // A site ban closes what it covers on every node (each reloads on the bus message).
  siteBans.announceWith((added, liftedId) =>
    bus
      .publish({ type: "site_bans_changed", added, liftedId })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed")),
  );
  siteBans.onChanged(() => {
    const covered = (userId: string | null, address: string) =>
      (userId !== null && siteBans.forUser(userId) !== null) || siteBans.forAddress(address) !== null;
    ws.closeWhere(covered);
    sse.closeWhere(covered);
  });
  // Revocations and channel changes reach every node through the bus (this one included).
  auth.onRevoked((sessionId, userId) => {
    bus
      .publish({ type: "session_revoked", sessionId, userId })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed"));
  });
  bus.subscribe((message) => {
    if (message.type === "moderator_event") {
      hub.publish(message.channel, [message.event], "moderators");
    } else if (message.type === "ingest_key_revoked") {
      ingestKeys.forget(message.id);
    } else if (message.type === "sanction_changed") {
      channels.applySanction(message.channel, message.userId, message.sanction);
    } else if (message.type === "channel_stats") {
      analysis.statsPublished(message.channel, message.stats);
    } else if (message.type === "connectors_changed") {
      void supervisor.poke();
    } else if (message.type === "site_bans_changed") {
      siteBans
        .apply(message.added, message.liftedId)
        .catch((error: unknown) => log0.warn({ err: error }, "site bans reload failed"));
    } else if (message.type === "session_revoked") {
      auth.forgetSession(message.sessionId);
      ws.revokeSession(message.sessionId);
      sse.revokeSession(message.sessionId);
    } else {
      // A role may have changed: moderator-only events must follow it at once.
      channels
        .invalidate(message.channel)
        .then(() => audiences.refresh(message.channel))
        .catch((error: unknown) => log0.warn({ err: error, channel: message.channel }, "audience refresh failed"));
    }
  });
  // Awaited by the moderation action (a failed publish still lets the action answer: the
  // channel_changed that follows reloads the state everywhere, only later).
  channels.onSanctionChanged((channel, userId, sanction) =>
    bus
      .publish({ type: "sanction_changed", channel, userId, sanction })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed")),
  );
  channels.onChanged((channel) => {
    bus
      .publish({ type: "channel_changed", channel })
      .catch((error: unknown) => log0.warn({ err: error }, "bus publish failed"));
  });
  const httpAuth = new HttpAuth(auth, config.allowedOrigins);
  const services: Services = {
    config,
    logger: log0,
    store,
    log,
    presence,
    auth,
    httpAuth,
    channels,
    broadcasts,
    chat,
    moderation,
    ingest,
    ingestKeys,
    connectors,
    supervisor,
    kick,
    retention,
    origin,
    analysis,
    hub,
    sse,
    tickets,
    siteBans,
    metrics,
    health: adapters.health,
  };

  const app: App = Fastify({
    loggerInstance: log0,
    bodyLimit: config.limits.httpBodyMaxBytes,
    trustProxy: config.trustProxy,
    // Per-request access logs would dominate a chat server's CPU; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // No answer of ours may be sniffed into another type (a JSON error read as HTML, say).
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    return payload;
  });
  // A site ban on the address refuses everything but the operators' probes.
  app.addHook("onRequest", async (request) => {
    const path = request.url.split("?")[0] ?? "";
    if (path === "/healthz" || path === "/readyz" || path === "/metrics") return;
    const ban = siteBans.forAddress(request.ip);
    if (ban) throw bannedError(ban);
  });
  const routes: RegisteredRoute[] = [];
  // Added first so it also sees the routes of plugins registered below (swagger UI, static files).
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Chorus API",
        version: "1",
        description:
          "Real-time chat for live streams. Every route of the server is here, `GET /api/ws` included. " +
          "The repository's docs/api.md explains each one (auth, errors) and docs/protocol.md the " +
          'WebSocket and SSE protocol. Errors are `{"error":{"code","message"}}` with stable codes.',
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          cookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  authRoutes(app, services);
  channelRoutes(app, services);
  messageRoutes(app, services);
  moderationRoutes(app, services);
  ingestRoutes(app, services);
  webhookRoutes(app, services);
  eventRoutes(app, services);
  shortcutRoutes(app, services);
  analysisRoutes(app, services);
  opsRoutes(app, services);
  adminRoutes(app, services);
  wsRoutes(app);
  await webRoutes(app, config.webDistDir);

  app.server.on("upgrade", (req, socket, head) => ws.handleUpgrade(req, socket, head));
  // A deep accept queue: after a restart or a network blip every viewer reconnects within a
  // second or two, and Node's default backlog (511) drops the excess SYNs, which then wait
  // out the kernel's 1 s, 3 s, 7 s… retransmits. The kernel caps it at net.core.somaxconn.
  await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  tracker.start();
  supervisor.start();
  retention.start();
  if (config.analysis.enabled) analysis.start();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  log0.info(
    {
      port,
      store: config.databaseUrl ? "postgresql" : "pglite",
      dataDir: config.databaseUrl ? undefined : config.dataDir,
    },
    "chorus listening",
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      tracker.stop();
      await supervisor.close();
      await retention.close();
      await analysis.close();
      await sentimentPool?.close();
      sse.shutdown();
      await ws.close();
      hub.flush();
      await app.close();
      await adapters.close();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, port, app, services, routes, close };
}

/**
 * SENTIMENT_WORKERS=0: the analyser (a few µs a line) runs on the event loop itself — on a
 * machine without a spare core, cheaper than waiting for a worker (BENCHMARKS.md).
 */
const INLINE_SENTIMENT: SentimentSource = {
  analyze: async (text, customEmotes) => analyzeSentiment(text, { customEmotes }),
  analyzeNow: (text, customEmotes) => analyzeSentiment(text, { customEmotes }),
};

/** Lines that take the analyser's every path (emotes, negation, capitals, a question, emoji). */
const WARM_UP_LINES = [
  "PogChamp that was AMAZING",
  "this is not good at all NotLikeThis",
  "what game is this?",
  "sooooo boring ResidentSleeper",
  "great play Kappa",
  "😂😂😂 KEKW KEKW",
  "!uptime",
  "you are trash streamer",
];

/** The model when one is configured (the local summariser as its fallback), else the local one. */
function summariserFor(config: Config, metrics: Metrics): Summariser {
  const { llmUrl, llmKey, llmModel, llmTimeoutMs } = config.analysis;
  if (llmUrl === null || llmKey === null) {
    const local = createSummariser({});
    return {
      summarise: async (input) => {
        const text = await local.summarise(input);
        metrics.summaries.inc({ by: "local" });
        return text;
      },
    };
  }
  return createSummariser({
    llm: {
      url: llmUrl,
      key: llmKey,
      model: llmModel,
      timeoutMs: llmTimeoutMs,
      onOutcome: (outcome) => metrics.summaries.inc({ by: outcome === "llm" ? "llm" : "local" }),
    },
  });
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url");
}
