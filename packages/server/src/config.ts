/**
 * Configuration from environment variables, validated once at start. Every limit is a
 * named option with a documented default (README "Configuration"); a bad value stops the
 * process with one clear line per problem instead of failing later.
 */
import path from "node:path";
import { LIMITS } from "@chorus/protocol";

export interface Config {
  host: string;
  port: number;
  /** Where the embedded database lives; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** PostgreSQL URL; with it the store is PostgreSQL instead of the embedded PGlite. */
  databaseUrl: string | null;
  redisUrl: string | null;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Trust X-Forwarded-* from these proxies (client IP for per-IP limits): true, or addresses/CIDRs. */
  trustProxy: boolean | string;
  /** Origins allowed for cookie-authenticated writes and WebSocket upgrades, besides the page's own host. */
  allowedOrigins: string[];
  /** HMAC secret for session tokens; generated once and kept in the store when unset. */
  jwtSecret: string | null;
  sessionTtlSec: number;
  adminUsername: string | null;
  adminPassword: string | null;
  /** Usernames exempt from per-user chat rate limits (bots, load generators). */
  botUsers: string[];
  connectors: {
    /** Twitch's IRC-over-WebSocket endpoint (a local stand-in in tests). */
    twitchIrcUrl: string;
    /** How often each node looks for connectors nobody runs (after a node died). */
    scanMs: number;
    /** The PEM key Kick signs webhooks with (Kick's published one unless set). */
    kickPublicKey: string | null;
    /** YouTube Data API v3 base URL, and the API key its connector polls with (none: not configured). */
    youtubeApiUrl: string;
    youtubeApiKey: string | null;
    /** Google's OAuth base, whose /oauth2/tokeninfo checks a linked YouTube account's token. */
    googleOAuthUrl: string;
    /** Twitch's OAuth (token validation) and Helix (moderation) base URLs. */
    twitchAuthUrl: string;
    twitchApiUrl: string;
    /** Key (64 hex) that platform tokens are encrypted with; generated and kept in the store when unset. */
    tokenEncryptionKey: string | null;
  };
  /** How often the retention job removes messages older than their channel keeps them. */
  retentionSweepMs: number;
  analysis: {
    /** Live analysis (sentiment, stats, summaries, highlights) on or off. */
    enabled: boolean;
    /** Sentiment worker threads; 0 analyses on the event loop itself. */
    sentimentWorkers: number;
    /** How messages reach the sentiment workers: `ring` (answers within the turn) or `postMessage`. */
    sentimentTransport: "ring" | "postMessage";
    /** Ring: a message waits at most this long (ms, fractions allowed) for its sentiment, in its own turn. */
    sentimentWaitMs: number;
    /** postMessage: a message waits at most this long for its sentiment; then it goes out without. */
    sentimentTimeoutMs: number;
    /** Messages waiting for a sentiment worker beyond which new ones go out without sentiment. */
    sentimentMaxPending: number;
    /** How often a channel's stats are published. */
    statsIntervalMs: number;
    /** The buckets chat spikes are counted in. */
    spikeBucketMs: number;
    /** How often a node tries to take over the analysis of active channels it does not lead. */
    leaderRetryMs: number;
    /** An OpenAI-compatible chat-completions endpoint that writes the summaries (local ones when unset or failing). */
    llmUrl: string | null;
    llmKey: string | null;
    llmModel: string;
    llmTimeoutMs: number;
  };
  webDistDir: string;
  /** This node's name in a cluster (Redis consumer, presence); defaults to host-pid. */
  nodeId: string | null;
  redis: {
    /** Seqs reserved in the store per lease (how far a seq counter jumps if Redis loses it). */
    leaseSize: number;
    /** Safety cap on a channel stream's length; normal trimming follows persistence. */
    maxStreamLength: number;
    /** Persister pause when it finds nothing to store. */
    persistIdleMs: number;
    /** A persister's unacknowledged entries idle this long are claimed by another node. */
    claimIdleMs: number;
    /** Entries the persister reads per channel per round. */
    persistBatch: number;
    /** Attempts to store an entry before it goes to the channel's dead-letter stream. */
    persistMaxAttempts: number;
    /** Longest a command may wait for Redis before it fails (and the request answers 503). */
    commandTimeoutMs: number;
    /** How long one blocking XREAD of the live tail waits for new entries. */
    readBlockMs: number;
    /** How often a node publishes its viewers and chatters. */
    presencePublishMs: number;
    /** A node's presence is ignored once this old (the node died). */
    presenceStaleMs: number;
    /** Signed-in users each node lists in its presence snapshot (counts stay exact). */
    presenceListedMax: number;
    /** A cluster lease not renewed for this long (its holder died) can be taken by another node. */
    leaseTtlMs: number;
  };
  /** How long a retry with the same nonce is answered with the original message. */
  dedupWindowSec: number;
  /** Most events in one embedded group commit. */
  commitMaxBatch: number;
  /** How long /readyz waits for each dependency before calling it down. */
  healthTimeoutMs: number;
  limits: {
    wsMaxPayloadBytes: number;
    httpBodyMaxBytes: number;
    /** Body limit of the ingest routes (a batch of up to 100 items). */
    ingestBodyMaxBytes: number;
    channelsPerConnection: number;
    framesPerMinute: number;
    connectionQueueMaxBytes: number;
    maxReplayEvents: number;
    recentWindow: number;
    /** Chat messages per user per window (not for admins and bots). */
    messagesPerWindow: number;
    /** The same for a channel's moderators and owner. */
    privilegedMessagesPerWindow: number;
    messageWindowSec: number;
    /** Register / login / guest attempts per IP per minute. */
    authPerMinute: number;
    /** Consecutive failed logins per (account, IP) before the back-off starts. */
    loginFreeFailures: number;
    /** The longest back-off wait between failed logins of one (account, IP). */
    loginBackoffMaxSec: number;
    /** Failed logins per IP per day, across all accounts. */
    loginFailuresPerIpPerDay: number;
    /** Guest identities created per IP per hour. */
    guestsPerIpPerHour: number;
    /** Messages from all guests of one IP per message window. */
    guestMessagesPerIpPerWindow: number;
    /** Open WebSocket + SSE connections per IP, over every node. */
    connectionsPerIp: number;
    /** New WebSocket + SSE connections per IP per second, over every node. */
    connectsPerIpPerSec: number;
  };
  /** Fan-out flush tick: 0 = next turn of the event loop (setImmediate). */
  flushIntervalMs: number;
  /** Group commit: how long the first write of a batch may wait for company. */
  commitDelayMs: number;
  /** Embedded database: fdatasync each event commit before the ack (off: survives a process crash, not an OS crash). */
  embeddedFsync: boolean;
  sseHeartbeatMs: number;
  viewerCountIntervalMs: number;
  shutdownGraceMs: number;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const str = (name: string): string | null => {
    const raw = env[name];
    return raw === undefined || raw.trim() === "" ? null : raw.trim();
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name);
    if (raw === null) return fallback;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return fallback;
  };
  const list = (name: string): string[] =>
    (str(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);

  const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
  const logLevelRaw = str("LOG_LEVEL") ?? "info";
  const logLevel = logLevels.find((l) => l === logLevelRaw);
  if (!logLevel) problems.push(`LOG_LEVEL=${JSON.stringify(logLevelRaw)}: expected one of ${logLevels.join(", ")}`);

  const url = (name: string, protocols: string[]): string | null => {
    const raw = str(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name}: expected a ${protocols.join(" or ")} URL`);
    } catch {
      problems.push(`${name}: not a valid URL`);
    }
    return raw;
  };

  const allowedOrigins = list("ALLOWED_ORIGINS");
  for (const origin of allowedOrigins) {
    try {
      if (new URL(origin).origin !== origin)
        problems.push(`ALLOWED_ORIGINS: ${origin} is not a bare origin (scheme://host[:port])`);
    } catch {
      problems.push(`ALLOWED_ORIGINS: ${origin} is not a valid origin`);
    }
  }

  const transportRaw = str("SENTIMENT_TRANSPORT") ?? "ring";
  const sentimentTransport = (["ring", "postMessage"] as const).find((t) => t === transportRaw);
  if (!sentimentTransport)
    problems.push(`SENTIMENT_TRANSPORT=${JSON.stringify(transportRaw)}: expected ring or postMessage`);

  const tokenKey = str("TOKEN_ENCRYPTION_KEY");
  if (tokenKey !== null && !/^[0-9a-f]{64}$/i.test(tokenKey))
    problems.push("TOKEN_ENCRYPTION_KEY: must be 64 hex characters");
  const jwtSecret = str("JWT_SECRET");
  if (jwtSecret !== null && jwtSecret.length < 32) problems.push("JWT_SECRET: must be at least 32 characters");
  const adminUsername = str("ADMIN_USERNAME")?.toLowerCase() ?? null;
  const adminPassword = str("ADMIN_PASSWORD");
  if ((adminUsername === null) !== (adminPassword === null)) {
    problems.push("ADMIN_USERNAME and ADMIN_PASSWORD: set both or neither");
  }
  if (adminUsername !== null && !/^[a-z0-9_]{3,25}$/.test(adminUsername)) {
    problems.push("ADMIN_USERNAME: must match ^[a-z0-9_]{3,25}$");
  }
  if (
    adminPassword !== null &&
    (adminPassword.length < LIMITS.passwordMinChars || adminPassword.length > LIMITS.passwordMaxChars)
  ) {
    problems.push(`ADMIN_PASSWORD: must be ${LIMITS.passwordMinChars}–${LIMITS.passwordMaxChars} characters`);
  }

  const config: Config = {
    host: str("HOST") ?? "0.0.0.0",
    port: int("PORT", 3000, 0, 65535),
    dataDir: resolveDataDir(str("DATA_DIR") ?? "./data", cwd),
    databaseUrl: url("DATABASE_URL", ["postgres:", "postgresql:"]),
    redisUrl: url("REDIS_URL", ["redis:", "rediss:"]),
    logLevel: logLevel ?? "info",
    allowedOrigins,
    trustProxy: parseTrustProxy(str("TRUST_PROXY")),
    jwtSecret,
    sessionTtlSec: int("SESSION_TTL_SEC", 30 * 24 * 3600, 60, 365 * 24 * 3600),
    adminUsername,
    adminPassword,
    botUsers: list("BOT_USERS").map((u) => u.toLowerCase()),
    connectors: {
      twitchIrcUrl: url("TWITCH_IRC_URL", ["wss:", "ws:"]) ?? "wss://irc-ws.chat.twitch.tv:443",
      scanMs: int("CONNECTOR_SCAN_MS", 5_000, 100, 600_000),
      kickPublicKey: str("KICK_PUBLIC_KEY")?.replace(/\\n/g, "\n") ?? null,
      youtubeApiUrl: (url("YOUTUBE_API_URL", ["https:", "http:"]) ?? "https://www.googleapis.com/youtube/v3").replace(
        /\/+$/,
        "",
      ),
      youtubeApiKey: str("YOUTUBE_API_KEY"),
      googleOAuthUrl: (url("GOOGLE_OAUTH_URL", ["https:", "http:"]) ?? "https://oauth2.googleapis.com").replace(
        /\/+$/,
        "",
      ),
      twitchAuthUrl: (url("TWITCH_AUTH_URL", ["https:", "http:"]) ?? "https://id.twitch.tv").replace(/\/+$/, ""),
      twitchApiUrl: (url("TWITCH_API_URL", ["https:", "http:"]) ?? "https://api.twitch.tv/helix").replace(/\/+$/, ""),
      tokenEncryptionKey: str("TOKEN_ENCRYPTION_KEY"),
    },
    retentionSweepMs: int("RETENTION_SWEEP_MS", 600_000, 1_000, 86_400_000),
    analysis: {
      enabled: bool("ANALYSIS_ENABLED", true),
      sentimentWorkers: int("SENTIMENT_WORKERS", 1, 0, 64),
      sentimentTransport: sentimentTransport ?? "ring",
      sentimentWaitMs: num("SENTIMENT_WAIT_MS", 1, 0.05, 100),
      sentimentTimeoutMs: int("SENTIMENT_TIMEOUT_MS", 50, 1, 10_000),
      sentimentMaxPending: int("SENTIMENT_MAX_PENDING", 2_048, 1, 1_000_000),
      statsIntervalMs: int("STATS_INTERVAL_MS", 2_000, 100, 600_000),
      spikeBucketMs: int("SPIKE_BUCKET_MS", 10_000, 100, 600_000),
      leaderRetryMs: int("ANALYSIS_RETRY_MS", 2_000, 100, 600_000),
      llmUrl: url("SUMMARY_LLM_URL", ["https:", "http:"]),
      llmKey: str("SUMMARY_LLM_KEY"),
      llmModel: str("SUMMARY_LLM_MODEL") ?? "gpt-4o-mini",
      llmTimeoutMs: int("SUMMARY_LLM_TIMEOUT_MS", 8_000, 100, 120_000),
    },
    webDistDir: path.resolve(cwd, str("WEB_DIST_DIR") ?? "packages/web/dist"),
    nodeId: str("NODE_ID"),
    redis: {
      leaseSize: int("SEQ_LEASE_SIZE", 10_000, 10, 10_000_000),
      maxStreamLength: int("REDIS_STREAM_MAXLEN", 100_000, 1_000, 100_000_000),
      persistIdleMs: int("PERSIST_IDLE_MS", 50, 1, 10_000),
      claimIdleMs: int("PERSIST_CLAIM_IDLE_MS", 15_000, 100, 3_600_000),
      persistBatch: int("PERSIST_BATCH", 1_000, 1, 100_000),
      persistMaxAttempts: int("PERSIST_MAX_ATTEMPTS", 5, 1, 1_000),
      commandTimeoutMs: int("REDIS_COMMAND_TIMEOUT_MS", 5_000, 100, 600_000),
      readBlockMs: int("REDIS_READ_BLOCK_MS", 2_000, 10, 60_000),
      presencePublishMs: int("PRESENCE_PUBLISH_MS", 2_000, 100, 600_000),
      presenceStaleMs: int("PRESENCE_STALE_MS", 6_000, 200, 3_600_000),
      presenceListedMax: int("PRESENCE_LISTED_MAX", 1_000, 1, 1_000_000),
      leaseTtlMs: int("LEASE_TTL_MS", 15_000, 1_000, 3_600_000),
    },
    dedupWindowSec: int("DEDUP_WINDOW_SEC", 600, 1, 7 * 24 * 3600),
    commitMaxBatch: int("COMMIT_MAX_BATCH", 5_000, 1, 100_000),
    healthTimeoutMs: int("HEALTH_TIMEOUT_MS", 2_000, 100, 60_000),
    limits: {
      wsMaxPayloadBytes: int("WS_MAX_PAYLOAD_BYTES", LIMITS.wsMaxPayloadBytes, 256, 1024 * 1024),
      httpBodyMaxBytes: int("HTTP_BODY_MAX_BYTES", LIMITS.httpBodyMaxBytes, 256, 1024 * 1024),
      ingestBodyMaxBytes: int("INGEST_BODY_MAX_BYTES", 512 * 1024, 1024, 16 * 1024 * 1024),
      channelsPerConnection: int("CHANNELS_PER_CONNECTION", LIMITS.channelsPerConnection, 1, 10_000),
      framesPerMinute: int("FRAMES_PER_MINUTE", LIMITS.framesPerMinute, 10, 1_000_000),
      connectionQueueMaxBytes: int("CONNECTION_QUEUE_MAX_BYTES", LIMITS.connectionQueueMaxBytes, 16 * 1024, 1024 ** 3),
      maxReplayEvents: int("MAX_REPLAY_EVENTS", LIMITS.maxReplayEvents, 1, 1_000_000),
      recentWindow: int("RECENT_WINDOW", 1000, 0, 1_000_000),
      messagesPerWindow: int("MESSAGES_PER_WINDOW", 20, 1, 1_000_000),
      privilegedMessagesPerWindow: int("PRIVILEGED_MESSAGES_PER_WINDOW", 100, 1, 1_000_000),
      messageWindowSec: int("MESSAGE_WINDOW_SEC", 30, 1, 3600),
      authPerMinute: int("AUTH_PER_MINUTE", 30, 1, 1_000_000),
      loginFreeFailures: int("LOGIN_FREE_FAILURES", 5, 1, 1_000),
      loginBackoffMaxSec: int("LOGIN_BACKOFF_MAX_SEC", 900, 1, 24 * 3600),
      loginFailuresPerIpPerDay: int("LOGIN_FAILURES_PER_IP_PER_DAY", 100, 1, 1_000_000),
      guestsPerIpPerHour: int("GUESTS_PER_IP_PER_HOUR", 20, 1, 1_000_000),
      guestMessagesPerIpPerWindow: int("GUEST_MESSAGES_PER_IP_PER_WINDOW", 40, 1, 1_000_000),
      connectionsPerIp: int("CONNECTIONS_PER_IP", 100, 1, 10_000_000),
      connectsPerIpPerSec: int("CONNECTS_PER_IP_PER_SEC", 20, 1, 10_000_000),
    },
    flushIntervalMs: int("FLUSH_INTERVAL_MS", 0, 0, 1000),
    commitDelayMs: int("COMMIT_DELAY_MS", 0, 0, 100),
    embeddedFsync: bool("EMBEDDED_FSYNC", true),
    sseHeartbeatMs: int("SSE_HEARTBEAT_MS", 15_000, 100, 15_000),
    viewerCountIntervalMs: int("VIEWER_COUNT_INTERVAL_MS", 5_000, 100, 600_000),
    shutdownGraceMs: int("SHUTDOWN_GRACE_MS", 5_000, 0, 120_000),
  };
  if (config.redis.presenceStaleMs <= config.redis.presencePublishMs) {
    problems.push("PRESENCE_STALE_MS must be longer than PRESENCE_PUBLISH_MS, or live nodes would be ignored");
  }
  if (config.redisUrl !== null && config.databaseUrl === null) {
    problems.push("REDIS_URL needs DATABASE_URL: every node of a cluster must share one PostgreSQL store");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function resolveDataDir(raw: string, cwd: string): string {
  return raw.startsWith("memory://") ? raw : path.resolve(cwd, raw);
}

function parseTrustProxy(raw: string | null): boolean | string {
  if (raw === null || raw === "false") return false;
  return raw === "true" ? true : raw;
}
