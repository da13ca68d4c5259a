/** What route modules get: the services, never the adapters behind them. */

import type {} from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { SiteBans } from "../admin/site-bans.js";
import type { AnalysisService } from "../analysis/analysis-service.js";
import type { AuthService } from "../auth/auth-service.js";
import type { BroadcastService } from "../channels/broadcasts.js";
import type { ChannelService } from "../channels/channel-service.js";
import type { RetentionJob } from "../channels/retention.js";
import type { ChatService } from "../chat/chat-service.js";
import type { Config } from "../config.js";
import type { ConnectorService } from "../connectors/connector-service.js";
import type { KickProducer } from "../connectors/kick/kick-producer.js";
import type { OriginModeration } from "../connectors/origin-moderation.js";
import type { ConnectorSupervisor } from "../connectors/supervisor.js";
import type { IngestKeys } from "../ingest/ingest-keys.js";
import type { IngestService } from "../ingest/ingest-service.js";
import type { Metrics } from "../metrics.js";
import type { ModerationService } from "../moderation/moderation-service.js";
import type { ChannelLog } from "../ports/log.js";
import type { Presence } from "../ports/presence.js";
import type { Store } from "../ports/store.js";
import type { ConnectionTickets } from "../realtime/connection-tickets.js";
import type { Hub } from "../realtime/hub.js";
import type { SseGateway } from "../realtime/sse-gateway.js";
import type { HttpAuth } from "./auth.js";

export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  log: ChannelLog;
  presence: Presence;
  auth: AuthService;
  httpAuth: HttpAuth;
  channels: ChannelService;
  broadcasts: BroadcastService;
  chat: ChatService;
  moderation: ModerationService;
  ingest: IngestService;
  ingestKeys: IngestKeys;
  connectors: ConnectorService;
  /** This node's runner of connectors (which it runs: `runningHere()`). */
  supervisor: ConnectorSupervisor;
  kick: KickProducer;
  /** Removes messages past their channel's retention (tests call `sweep`). */
  retention: RetentionJob;
  /** Linked platform accounts, and moderation sent to the origin platform. */
  origin: OriginModeration;
  /** Live analysis: stats, summaries, highlights (and which channels this node leads). */
  analysis: AnalysisService;
  /** This node's fan-out: publish events no log records (moderator-only ones) here. */
  hub: Hub;
  sse: SseGateway;
  /** Single-use connection tickets for WebSocket and SSE. */
  tickets: ConnectionTickets;
  /** Site-wide bans by account and address range (admins). */
  siteBans: SiteBans;
  metrics: Metrics;
  /** Which dependency answers, for /readyz. */
  health: () => Promise<Record<string, "ok" | "down">>;
}

export type App = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  import("pino").Logger,
  TypeBoxTypeProvider
>;
