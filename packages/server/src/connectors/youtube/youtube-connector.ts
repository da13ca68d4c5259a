/**
 * Mirrors one YouTube live chat by polling the Data API v3 with an API key (reading needs no
 * OAuth): `videos.list` finds a video's `activeLiveChatId`, then `liveChatMessages.list` is
 * polled, following `nextPageToken` and waiting `pollingIntervalMillis` (never less than
 * minPollMs) between calls.
 *
 * - `source` is a live chat id, or an 11-character video id that is resolved first (and again
 *   whenever its chat ends, since a new broadcast on the same video gets a new chat).
 * - The first poll returns the chat's recent backlog: it is delivered; the ingest path drops
 *   repeats by externalId.
 * - Errors: `quotaExceeded` waits long (the daily quota resets at midnight Pacific; we do not
 *   wait that long but back off exponentially up to quotaBackoff.maxMs, default one hour);
 *   `rateLimitExceeded`, network errors and 5xx back off with jitter (backoff); the chat ending
 *   (`liveChatEnded`, `liveChatNotFound`, `liveChatDisabled`) stops polling that chat and
 *   resolves the video again after chatRetryMs (a chat id source is only retried if it was
 *   not found or disabled: an ended chat never comes back).
 * - Sink calls run one at a time from a queue, in order; a call that throws is logged.
 */
import { type ConnectorState, INGEST_BATCH_MAX } from "@chorus/protocol";
import type { Connector, ConnectorSink, ConnectorStatus } from "../connector.js";
import { SinkQueue, type SinkTask } from "../sink-queue.js";
import { type BackoffOptions, backoffDelay, type ConnectorLogger } from "../twitch/twitch-connector.js";
import { toYouTubeEvent, type YouTubeLiveChatMessage } from "./youtube-to-ingest.js";

export const DEFAULT_YOUTUBE_API_URL = "https://www.googleapis.com/youtube/v3";

/** `YOUTUBE_API_URL` (a stand-in for tests or a proxy) or Google's own. */
export function youtubeApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env["YOUTUBE_API_URL"] || DEFAULT_YOUTUBE_API_URL;
}

/** A YouTube video id: 11 characters of base64url. Live chat ids are much longer. */
export const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

export interface YouTubeConnectorOptions {
  /** The Data API v3 base, without a trailing slash (see youtubeApiUrl). */
  apiUrl: string;
  apiKey: string;
  /** A live chat id, or a video id whose active live chat is read. */
  source: string;
  sink: ConnectorSink;
  logger?: ConnectorLogger;
  fetch?: typeof fetch;
  /** Never poll faster than this, whatever pollingIntervalMillis says. Default 1000. */
  minPollMs?: number;
  /** Network errors, 5xx and rateLimitExceeded. */
  backoff?: Partial<Pick<BackoffOptions, "baseMs" | "maxMs">>;
  /** quotaExceeded: default 60 s doubling up to an hour. */
  quotaBackoff?: Partial<Pick<BackoffOptions, "baseMs" | "maxMs">>;
  /** Wait before resolving the video again when it is not live or its chat ended. Default 60 s. */
  chatRetryMs?: number;
  /** One API call gives up after this long. Default 20 s. */
  requestTimeoutMs?: number;
  /** In [0, 1): the backoff's jitter (tests fix it). */
  random?: () => number;
  now?: () => number;
}

const DEFAULT_BACKOFF = { baseMs: 1_000, maxMs: 60_000 };
const DEFAULT_QUOTA_BACKOFF = { baseMs: 60_000, maxMs: 3_600_000 };
const DEFAULT_CHAT_RETRY_MS = 60_000;
const DEFAULT_MIN_POLL_MS = 1_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
const MAX_QUEUED_MESSAGES = 10_000;
const CHAT_GONE = new Set(["liveChatEnded", "liveChatNotFound", "liveChatDisabled"]);

/** An API answer that was not 2xx, with Google's error reason when it gave one. */
export class YouTubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

type Task = SinkTask;

interface ListResponse {
  nextPageToken?: string;
  pollingIntervalMillis?: number;
  offlineAt?: string;
  items?: YouTubeLiveChatMessage[];
}

const SILENT_LOGGER: ConnectorLogger = { info() {}, warn() {}, error() {} };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Google's error body: `{error: {code, message, errors: [{reason, domain, message}]}}`. */
export function apiError(status: number, body: unknown): YouTubeApiError {
  const error = isObject(body) && isObject(body["error"]) ? body["error"] : {};
  const errors = Array.isArray(error["errors"]) ? error["errors"] : [];
  const first: unknown = errors[0];
  const reason = isObject(first) && typeof first["reason"] === "string" ? first["reason"] : undefined;
  const message = typeof error["message"] === "string" ? error["message"] : `HTTP ${status}`;
  return new YouTubeApiError(status, reason, `${reason ?? `HTTP ${status}`}: ${message}`);
}

export class YouTubeConnector implements Connector {
  readonly source: string;
  private readonly videoId: string | null;
  private readonly apiUrl: string;
  private readonly apiKey: string;
  private readonly logger: ConnectorLogger;
  private readonly fetch: typeof fetch;
  private readonly minPollMs: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly quotaBackoff: { baseMs: number; maxMs: number };
  private readonly chatRetryMs: number;
  private readonly requestTimeoutMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logContext: { connector: "youtube"; source: string };

  private state: ConnectorState = "stopped";
  private error: string | undefined;
  private lastMessageAt: number | null = null;
  private readonly listeners: Array<(status: ConnectorStatus) => void> = [];

  private started = false;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private chatId: string | null;
  private pageToken: string | undefined;
  private attempt = 0;
  private quotaAttempt = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The API call or step running now (awaited by stop()). */
  private running: Promise<void> | null = null;

  private readonly deliveries: SinkQueue;

  constructor(options: YouTubeConnectorOptions) {
    const source = options.source.trim();
    if (source.length === 0 || source.length > 200 || !/^[A-Za-z0-9_-]+$/.test(source)) {
      throw new Error(`not a YouTube video or live chat id: ${JSON.stringify(options.source)}`);
    }
    this.source = source;
    this.videoId = VIDEO_ID.test(source) ? source : null;
    this.chatId = this.videoId === null ? source : null;
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.deliveries = new SinkQueue(options.sink, MAX_QUEUED_MESSAGES, {
      failed: (task, error) =>
        this.logger.error({ ...this.logContext, err: error, task }, "youtube connector: the sink failed, going on"),
      dropped: (count) =>
        this.logger.warn({ ...this.logContext, dropped: count }, "youtube connector: sink too slow, dropping"),
    });
    this.logger = options.logger ?? SILENT_LOGGER;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.minPollMs = options.minPollMs ?? DEFAULT_MIN_POLL_MS;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.quotaBackoff = { ...DEFAULT_QUOTA_BACKOFF, ...options.quotaBackoff };
    this.chatRetryMs = options.chatRetryMs ?? DEFAULT_CHAT_RETRY_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logContext = { connector: "youtube", source };
  }

  start(): void {
    if (this.stopped) {
      this.logger.warn(this.logContext, "youtube connector: start() after stop() ignored");
      return;
    }
    if (this.started) return;
    this.started = true;
    this.setState("connecting", undefined);
    this.schedule(0);
  }

  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.shutdown();
    return this.stopping;
  }

  status(): ConnectorStatus {
    const status: ConnectorStatus = { state: this.state, lastMessageAt: this.lastMessageAt };
    if (this.error !== undefined) status.error = this.error;
    return status;
  }

  onStatus(listener: (status: ConnectorStatus) => void): void {
    this.listeners.push(listener);
  }

  // --- polling ------------------------------------------------------------------------------

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.step().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  /** One API call (resolve or poll) and the scheduling of the next. Never throws. */
  private async step(): Promise<void> {
    try {
      if (this.chatId === null) await this.resolve();
      else await this.poll(this.chatId);
    } catch (error) {
      if (this.stopped) return;
      this.onError(error);
    }
  }

  private async resolve(): Promise<void> {
    const videoId = this.videoId as string;
    const body = await this.get("videos", { part: "liveStreamingDetails", id: videoId });
    const items = isObject(body) && Array.isArray(body["items"]) ? body["items"] : [];
    const video: unknown = items[0];
    const details = isObject(video) && isObject(video["liveStreamingDetails"]) ? video["liveStreamingDetails"] : null;
    const chatId =
      details !== null && typeof details["activeLiveChatId"] === "string" ? details["activeLiveChatId"] : "";
    if (this.stopped) return;
    this.attempt = 0;
    this.quotaAttempt = 0;
    if (chatId.length === 0) {
      const why = video === undefined ? `video ${videoId} not found` : `video ${videoId} is not live`;
      this.setState("error", `${why}; checking again in ${this.chatRetryMs} ms`);
      this.schedule(this.chatRetryMs);
      return;
    }
    this.logger.info({ ...this.logContext, liveChatId: chatId }, "youtube connector: found the live chat");
    this.chatId = chatId;
    this.pageToken = undefined;
    this.schedule(0);
  }

  private async poll(chatId: string): Promise<void> {
    const query: Record<string, string> = { liveChatId: chatId, part: "snippet,authorDetails" };
    if (this.pageToken !== undefined) query["pageToken"] = this.pageToken;
    const body = (await this.get("liveChat/messages", query)) as ListResponse;
    if (this.stopped) return;
    this.attempt = 0;
    this.quotaAttempt = 0;
    if (typeof body.nextPageToken === "string" && body.nextPageToken.length > 0) this.pageToken = body.nextPageToken;
    this.setState("connected", undefined);
    this.take(Array.isArray(body.items) ? body.items : []);
    const interval = typeof body.pollingIntervalMillis === "number" ? body.pollingIntervalMillis : 0;
    this.schedule(Math.max(this.minPollMs, interval));
  }

  private onError(error: unknown): void {
    const reason = error instanceof YouTubeApiError ? error.reason : undefined;
    if (reason !== undefined && CHAT_GONE.has(reason)) {
      const what =
        reason === "liveChatEnded" ? "chat ended" : reason === "liveChatDisabled" ? "chat disabled" : "chat not found";
      this.pageToken = undefined;
      if (this.videoId !== null) {
        // The video may go live again with a new chat: look it up again later.
        this.chatId = null;
        this.setState("error", `${what}; checking the video again in ${this.chatRetryMs} ms`);
        this.schedule(this.chatRetryMs);
      } else if (reason === "liveChatEnded") {
        this.setState("error", `${what}; not polling it any more`);
      } else {
        this.setState("error", `${what}; retrying in ${this.chatRetryMs} ms`);
        this.schedule(this.chatRetryMs);
      }
      this.logger.warn({ ...this.logContext, reason }, `youtube connector: ${what}`);
      return;
    }
    let delay: number;
    if (reason === "quotaExceeded" || reason === "dailyLimitExceeded") {
      delay = backoffDelay(this.quotaAttempt++, this.quotaBackoff, this.random);
    } else {
      delay = backoffDelay(this.attempt++, this.backoff, this.random);
    }
    const why = describe(error);
    this.logger.warn({ ...this.logContext, reason: why, delayMs: delay }, "youtube connector: retrying");
    this.setState("error", `${why}; retrying in ${delay} ms`);
    this.schedule(delay);
  }

  /** GET `<apiUrl>/<path>?...&key=`: the JSON body, or a YouTubeApiError. */
  private async get(path: string, query: Record<string, string>): Promise<unknown> {
    const params = new URLSearchParams({ ...query, key: this.apiKey });
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.requestTimeoutMs)]);
    const response = await this.fetch(`${this.apiUrl}/${path}?${params}`, {
      headers: { accept: "application/json" },
      signal,
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
    if (!response.ok) throw apiError(response.status, body);
    if (!isObject(body)) throw new Error(`${path}: the answer is not JSON`);
    return body;
  }

  // --- delivery -----------------------------------------------------------------------------

  private take(messages: YouTubeLiveChatMessage[]): void {
    const tasks: Task[] = [];
    for (const message of messages) {
      const event = isObject(message) ? toYouTubeEvent(message) : null;
      if (event === null) continue;
      if (event.kind === "message") {
        const last = tasks.at(-1);
        if (last?.kind === "messages" && last.items.length < INGEST_BATCH_MAX) last.items.push(event.item);
        else tasks.push({ kind: "messages", items: [event.item] });
      } else if (event.kind === "deleted") {
        tasks.push({ kind: "deleted", externalId: event.externalId });
      } else {
        tasks.push({ kind: "cleared", target: event.target });
      }
    }
    this.deliveries.push(tasks);
    if (tasks.some((t) => t.kind === "messages")) {
      this.lastMessageAt = this.now();
      // Polls are at least a second apart: each one that brings messages may tell listeners.
      this.notify();
    }
  }

  // --- status -------------------------------------------------------------------------------

  private setState(state: ConnectorState, error: string | undefined): void {
    if (state === this.state && error === this.error) return;
    this.state = state;
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const status = this.status();
    for (const listener of this.listeners) {
      try {
        listener({ ...status });
      } catch (error) {
        this.logger.error({ ...this.logContext, err: error }, "youtube connector: a status listener threw");
      }
    }
  }

  // --- stop ---------------------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await Promise.all([this.running, this.deliveries.close()]);
    this.setState("stopped", undefined);
  }
}
