/**
 * Mirrors one Twitch channel's chat: reads it anonymously (a `justinfan` login needs no token
 * and can only read) over Twitch's IRC-over-WebSocket interface and hands messages, deletions
 * and clears to the sink, in the order Twitch sent them.
 *
 * - Handshake: `CAP REQ :twitch.tv/tags twitch.tv/commands`, `PASS SCHMOOPIIE`,
 *   `NICK justinfan<5 digits>`, then `JOIN #channel` once the welcome (001) arrived.
 *   `connected` when the join is confirmed (JOIN echo, 366 or ROOMSTATE).
 * - Sink calls run one at a time from a queue, so order holds and a slow ingest path is never
 *   called twice at once; messages waiting together go in one call (the lines of one frame,
 *   or what piled up meanwhile), at most INGEST_BATCH_MAX items. A call that throws is
 *   logged and the next one goes on.
 * - Twitch's `PING` is answered; its `RECONNECT` gets a new connection at once. A dropped
 *   socket, an error or a connection that is not joined in time is retried after a jittered
 *   exponential backoff (state `error` while waiting), reset once a connection held.
 * - A dead connection (no data at all for `keepalive.idleMs`) is asked with a PING of its own
 *   and given up when nothing answers within `keepalive.pongTimeoutMs`.
 */
import type { ConnectorState } from "@chorus/protocol";
import WebSocket from "ws";
import type { Connector, ConnectorSink, ConnectorStatus } from "../connector.js";
import { SinkQueue, type SinkTask } from "../sink-queue.js";
import { formatIrcLine, parseIrcLine, prefixNick, splitIrcLines } from "./irc.js";
import { lineChannel, toTwitchEvent } from "./twitch-to-ingest.js";

/** Twitch's IRC-over-WebSocket endpoint. */
export const DEFAULT_TWITCH_IRC_URL = "wss://irc-ws.chat.twitch.tv:443";

/** `TWITCH_IRC_URL` (a stand-in for tests or a proxy) or Twitch's own. */
export function twitchIrcUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env["TWITCH_IRC_URL"] || DEFAULT_TWITCH_IRC_URL;
}

/** What the connector needs of a logger (pino's fits). */
export interface ConnectorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BackoffOptions {
  /** The first retry waits between half of this and this. */
  baseMs: number;
  /** No retry waits longer. */
  maxMs: number;
  /** A connection that stayed joined this long starts the backoff over. */
  stableMs: number;
}

export interface KeepaliveOptions {
  /** With nothing received for this long, send a PING of our own. */
  idleMs: number;
  /** Without anything received this long after that PING, the connection is dead. */
  pongTimeoutMs: number;
}

export interface TwitchConnectorOptions {
  /** The server (see twitchIrcUrl). */
  url: string;
  /** The Twitch channel's login, with or without `#`, any case. */
  channel: string;
  sink: ConnectorSink;
  logger?: ConnectorLogger;
  /** In [0, 1): the nick's digits and the backoff's jitter (tests fix it). */
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  keepalive?: Partial<KeepaliveOptions>;
  /** From opening the socket to the confirmed join, including the WebSocket handshake. */
  connectTimeoutMs?: number;
  /** Changes of `lastMessageAt` alone are told to onStatus listeners at most this often. */
  statusIntervalMs?: number;
  /** Messages waiting for the sink beyond this are dropped (and logged), newest first. */
  maxQueuedMessages?: number;
  now?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000, stableMs: 30_000 };
export const DEFAULT_KEEPALIVE: KeepaliveOptions = { idleMs: 60_000, pongTimeoutMs: 10_000 };
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
const DEFAULT_STATUS_INTERVAL_MS = 1_000;
const DEFAULT_MAX_QUEUED_MESSAGES = 10_000;
const CHANNEL_NAME = /^[a-z0-9_]{1,25}$/;

/**
 * The wait before retry number `attempt` (0 for the first): exponential up to the cap, with
 * "equal jitter" — between half the step and the step — so that connectors dropped together
 * do not come back together, yet never retry at once.
 */
export function backoffDelay(attempt: number, backoff: Pick<BackoffOptions, "baseMs" | "maxMs">, random: () => number) {
  const step = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}

type Task = SinkTask;

const SILENT_LOGGER: ConnectorLogger = { info() {}, warn() {}, error() {} };

function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves once the socket is closed; terminates it (no close handshake to wait for). */
function terminate(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.terminate();
  return closed;
}

export class TwitchConnector implements Connector {
  readonly channel: string;
  private readonly url: string;
  private readonly logger: ConnectorLogger;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly backoff: BackoffOptions;
  private readonly keepalive: KeepaliveOptions;
  private readonly connectTimeoutMs: number;
  private readonly statusIntervalMs: number;
  private readonly logContext: { connector: "twitch"; channel: string };

  private state: ConnectorState = "stopped";
  private error: string | undefined;
  private lastMessageAt: number | null = null;
  private readonly listeners: Array<(status: ConnectorStatus) => void> = [];
  private lastNotifiedAt = 0;
  private statusTimer: NodeJS.Timeout | null = null;

  private started = false;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  /** The live connection; a socket being given up is no longer here (its events are ignored). */
  private socket: WebSocket | null = null;
  private readonly closing = new Set<Promise<void>>();
  private nick = "";
  /** Consecutive failed connections since the last one that held. */
  private attempt = 0;
  private joinedAt: number | null = null;
  private lastReceivedAt = 0;
  private lastNotice: string | undefined;
  private retryTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;

  private readonly deliveries: SinkQueue;

  constructor(options: TwitchConnectorOptions) {
    const channel = options.channel.replace(/^#/, "").toLowerCase();
    // It goes into the JOIN line: anything but a Twitch login could inject commands.
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a Twitch channel name: ${JSON.stringify(options.channel)}`);
    this.channel = channel;
    this.url = options.url;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.keepalive = { ...DEFAULT_KEEPALIVE, ...options.keepalive };
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.statusIntervalMs = options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    this.deliveries = new SinkQueue(options.sink, options.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES, {
      failed: (task, error) =>
        this.logger.error({ ...this.logContext, err: error, task }, "twitch connector: the sink failed, going on"),
      // Log the first drop of a run and every thousandth after it, not each one.
      dropped: (count, total) => {
        if (total === count || Math.floor(total / 1_000) > Math.floor((total - count) / 1_000)) {
          this.logger.warn(
            { ...this.logContext, dropped: total },
            "twitch connector: sink too slow, dropping messages",
          );
        }
      },
    });
    this.logContext = { connector: "twitch", channel };
  }

  start(): void {
    if (this.stopped) {
      this.logger.warn(this.logContext, "twitch connector: start() after stop() ignored");
      return;
    }
    if (this.started) return;
    this.started = true;
    this.connect();
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

  // --- connection ---------------------------------------------------------------------------

  private connect(): void {
    this.retryTimer = null;
    this.lastNotice = undefined;
    this.nick = `justinfan${10_000 + Math.floor(this.random() * 90_000)}`;
    this.setState("connecting", this.error);
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, { handshakeTimeout: this.connectTimeoutMs });
    } catch (error) {
      // A malformed URL throws here rather than failing the connection.
      this.scheduleRetry(describe(error));
      return;
    }
    this.socket = socket;
    let failure: string | undefined;
    this.connectTimer = setTimeout(() => {
      const notice = this.lastNotice === undefined ? "" : ` (Twitch said: ${this.lastNotice})`;
      this.fail(socket, `not joined to #${this.channel} within ${this.connectTimeoutMs} ms${notice}`);
    }, this.connectTimeoutMs);
    socket.on("open", () => {
      if (this.socket !== socket) return;
      this.lastReceivedAt = this.now();
      this.send(socket, "CAP REQ :twitch.tv/tags twitch.tv/commands");
      this.send(socket, "PASS SCHMOOPIIE");
      this.send(socket, `NICK ${this.nick}`);
      this.armIdle(socket);
    });
    socket.on("message", (data) => {
      if (this.socket === socket) this.onFrame(socket, frameText(data));
    });
    socket.on("error", (error) => {
      failure = describe(error);
    });
    socket.on("close", (code, reason) => {
      if (this.socket !== socket) return;
      // Twitch refuses a login or a join with a NOTICE, then closes: that NOTICE is the reason.
      const notice = this.joinedAt === null ? this.lastNotice : undefined;
      const why = failure ?? notice ?? `connection closed (${code}${reason.length > 0 ? ` ${reason}` : ""})`;
      this.socket = null;
      this.afterConnection();
      this.scheduleRetry(why);
    });
  }

  private send(socket: WebSocket, line: string): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(`${line}\r\n`);
  }

  /** Gives up a connection that failed (dead, not joined): retried after the backoff. */
  private fail(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.retire(socket);
    this.afterConnection();
    this.scheduleRetry(reason);
  }

  /** Twitch asked us to go: a new connection at once, no backoff. */
  private reconnectNow(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.logger.info(this.logContext, "twitch connector: RECONNECT from Twitch, reconnecting");
    this.retire(socket);
    this.afterConnection();
    this.connect();
  }

  private retire(socket: WebSocket): void {
    if (this.socket === socket) this.socket = null;
    const closed = terminate(socket).finally(() => this.closing.delete(closed));
    this.closing.add(closed);
  }

  /** Clears the connection's timers; a connection that held resets the backoff. */
  private afterConnection(): void {
    this.clearConnectionTimers();
    if (this.joinedAt !== null && this.now() - this.joinedAt >= this.backoff.stableMs) this.attempt = 0;
    this.joinedAt = null;
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt++;
    this.logger.warn(
      { ...this.logContext, reason, delayMs: delay, attempt: this.attempt },
      "twitch connector: retrying",
    );
    this.setState("error", `${reason}; retrying in ${delay} ms`);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private clearConnectionTimers(): void {
    for (const timer of [this.connectTimer, this.idleTimer, this.pongTimer]) if (timer !== null) clearTimeout(timer);
    this.connectTimer = null;
    this.idleTimer = null;
    this.pongTimer = null;
  }

  private joined(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.state === "connected") return;
    this.joinedAt = this.now();
    this.logger.info({ ...this.logContext, nick: this.nick }, "twitch connector: joined");
    this.setState("connected", undefined);
  }

  // --- keepalive ----------------------------------------------------------------------------

  /** Wakes up when the connection would have been quiet for idleMs (not reset per frame). */
  private armIdle(socket: WebSocket): void {
    const wait = Math.max(0, this.lastReceivedAt + this.keepalive.idleMs - this.now());
    this.idleTimer = setTimeout(() => this.onIdle(socket), wait);
  }

  private onIdle(socket: WebSocket): void {
    this.idleTimer = null;
    if (this.socket !== socket) return;
    if (this.now() - this.lastReceivedAt < this.keepalive.idleMs) {
      this.armIdle(socket);
      return;
    }
    this.send(socket, "PING :chorus");
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      this.fail(socket, `no answer to PING within ${this.keepalive.pongTimeoutMs} ms`);
    }, this.keepalive.pongTimeoutMs);
  }

  // --- reading ------------------------------------------------------------------------------

  private onFrame(socket: WebSocket, frame: string): void {
    this.lastReceivedAt = this.now();
    if (this.pongTimer !== null) {
      // Anything at all proves the connection alive, not only the PONG.
      clearTimeout(this.pongTimer);
      this.pongTimer = null;
      this.armIdle(socket);
    }
    const tasks: Task[] = [];
    let reconnect = false;
    for (const line of splitIrcLines(frame)) {
      const message = parseIrcLine(line);
      if (message === null) continue;
      switch (message.command) {
        case "PING":
          this.send(socket, formatIrcLine({ command: "PONG", params: message.params.slice(-1), trailing: true }));
          break;
        case "001":
          this.send(socket, `JOIN #${this.channel}`);
          break;
        case "JOIN":
          if (lineChannel(message) === this.channel && prefixNick(message.prefix)?.toLowerCase() === this.nick) {
            this.joined();
          }
          break;
        case "366":
          if (message.params[1]?.toLowerCase() === `#${this.channel}`) this.joined();
          break;
        case "ROOMSTATE":
          if (lineChannel(message) === this.channel) this.joined();
          break;
        case "NOTICE":
          this.lastNotice = message.params.at(-1);
          this.logger.warn(
            { ...this.logContext, notice: this.lastNotice, msgId: message.tags.get("msg-id") },
            "twitch connector: NOTICE",
          );
          break;
        case "RECONNECT":
          reconnect = true;
          break;
        default: {
          const event = toTwitchEvent(message);
          if (event === null || event.channel !== this.channel) break;
          if (event.kind === "message") {
            const last = tasks.at(-1);
            if (last?.kind === "messages") last.items.push(event.item);
            else tasks.push({ kind: "messages", items: [event.item] });
          } else if (event.kind === "deleted") {
            tasks.push({ kind: "deleted", externalId: event.externalId });
          } else {
            tasks.push({ kind: "cleared", target: event.target });
          }
        }
      }
    }
    if (tasks.length > 0) this.enqueue(tasks);
    if (reconnect) this.reconnectNow(socket);
  }

  // --- delivery -----------------------------------------------------------------------------

  private enqueue(tasks: Task[]): void {
    this.deliveries.push(tasks);
    if (tasks.some((t) => t.kind === "messages")) {
      this.lastMessageAt = this.now();
      this.notifyThrottled();
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
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    this.lastNotifiedAt = this.now();
    const status = this.status();
    for (const listener of this.listeners) {
      try {
        listener({ ...status });
      } catch (error) {
        this.logger.error({ ...this.logContext, err: error }, "twitch connector: a status listener threw");
      }
    }
  }

  /** A new lastMessageAt is told at most every statusIntervalMs; the latest one always is. */
  private notifyThrottled(): void {
    if (this.statusTimer !== null || this.stopped) return;
    const wait = this.lastNotifiedAt + this.statusIntervalMs - this.now();
    if (wait <= 0) this.notify();
    else this.statusTimer = setTimeout(() => this.notify(), wait);
  }

  // --- stop ---------------------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.clearConnectionTimers();
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    const socket = this.socket;
    if (socket !== null) this.retire(socket);
    // What was read but not handed over yet is dropped: the mirror ends here.
    await Promise.all([...this.closing, this.deliveries.close()]);
    this.setState("stopped", undefined);
  }
}
