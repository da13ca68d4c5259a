/**
 * The WebSocket connection: connect, authenticate, (re)subscribe, send with ack, keepalive
 * and reconnect. Per-channel ordering, de-duplication and repair live in ChannelStream;
 * this module only moves frames and decides when a connection is dead.
 *
 * Lifecycle: `connecting` (first attempt) → `open` (socket open and, with a token, `auth_ok`
 * received) → `reconnecting` (lost; waiting out the backoff or dialling again) → `open` …
 * `closed` after `close()`, after the server revoked the token (close code 4003) or when no
 * WebSocket implementation could be found.
 */
import {
  CLOSE_CODES,
  type ClientFrame,
  decodeServerMessage,
  type ErrorCode,
  type Message,
  type SendFrame,
  type ServerFrame,
  type User,
} from "@chorus/protocol";
import { Backoff, type BackoffOptions } from "./backoff.js";
import {
  type ChannelResume,
  ChannelStream,
  type HistoryPageQuery,
  type SubscriptionHandler,
} from "./channel-stream.js";
import { callSafely, Emitter } from "./emitter.js";
import { ChorusError, errorFromFrame, isRecord, localError, MessageHeldError } from "./errors.js";
import { randomNonce } from "./nonce.js";
import {
  type CloseEventLike,
  globalWebSocket,
  type MessageEventLike,
  messageText,
  type WebSocketConstructor,
  type WebSocketLike,
  WS_OPEN,
} from "./socket.js";
import { Timers } from "./timers.js";

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/** Emitted once per reconnect, when every resubscribed channel has caught up. */
export interface ResumedInfo {
  /** Logged events delivered to fill the holes, over all channels. */
  missed: number;
  channels: ChannelResume[];
}

export interface RealtimeEvents {
  state: [state: ConnectionState];
  resumed: [info: ResumedInfo];
  /** The socket authenticated (`auth_ok`); sent again after every reconnect. */
  authenticated: [user: User];
  /** The server revoked the token (close 4003, or `auth` refused): the client stopped and forgot it. */
  revoked: [error: ChorusError];
  /** Something went wrong that belongs to no pending call (a malformed server message, …). */
  error: [error: ChorusError];
}

export interface RealtimeOptions {
  /** WebSocket implementation. @default globalThis.WebSocket, else the result of `loadWebSocket` */
  WebSocket?: WebSocketConstructor;
  /** Loads an implementation when there is no global one (the Node entry loads `ws`). */
  loadWebSocket?: () => Promise<WebSocketConstructor>;
  /** How long `wake()` waits for any frame after its probe ping before it reconnects. @default 3000 */
  wakeProbeMs?: number;
  /** Reconnect backoff. @default { baseMs: 500, capMs: 30000 } */
  reconnect?: BackoffOptions;
  /** Idle time between keepalive pings. @default 25000 */
  pingIntervalMs?: number;
  /** A connection that answers nothing for this long after a ping is dead. @default 10000 */
  pongTimeoutMs?: number;
  /** Time allowed from dialling to ready (open and, with a token, `auth_ok`). @default 10000 */
  connectTimeoutMs?: number;
  /** How long `send` waits for its ack, reconnects included. @default 30000 */
  sendTimeoutMs?: number;
  /** After `{op:"reconnect"}`, how long to wait for the server to close before closing ourselves. @default 5000 */
  reconnectGraceMs?: number;
}

export interface SubscribeOptions {
  /** Replay the logged events after this seq first (used only by the first subscriber of a channel). */
  since?: number;
}

export interface SendOptions {
  replyTo?: string;
  /** Idempotency key. @default a random UUID; pass your own to retry safely after a timeout */
  nonce?: string;
  /** Overrides `sendTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** What the connection needs from the client that owns it. */
export interface RealtimeContext {
  url: string;
  getToken(): string | undefined;
  /** The token was revoked: forget it. */
  forgetToken(): void;
  fetchHistory(channel: string, query: HistoryPageQuery): Promise<Message[]>;
}

/** What became of a sent message: published, or held by moderation for review (`id` in the queue). */
export type SendResult = { held: false; message: Message } | { held: true; id: string };

interface PendingSend {
  frame: SendFrame;
  promise: Promise<SendResult>;
  /** The same outcome as `send()` returns it, made once so a repeated nonce gets the same promise. */
  asMessage?: Promise<Message>;
  resolve(result: SendResult): void;
  reject(error: ChorusError): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Subscription {
  stream: ChannelStream;
  handlers: Set<SubscriptionHandler>;
}

type TimerName = "reconnect" | "handshake" | "ping" | "pong" | "grace";

/** Codes that refuse the `auth` frame for good: retrying with the same token cannot help. */
const AUTH_REFUSED: readonly ErrorCode[] = ["unauthorized", "forbidden", "banned"];

export class Realtime {
  readonly events = new Emitter<RealtimeEvents>();
  private readonly context: RealtimeContext;
  private readonly options: RealtimeOptions;
  private readonly backoff: Backoff;
  private readonly timers = new Timers<TimerName>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new Map<string, PendingSend>();
  private waiters: Array<{ resolve(): void; reject(error: ChorusError): void }> = [];
  private implementation: WebSocketConstructor | undefined;
  private current: ConnectionState = "closed";
  /** The user wants a connection: set by connect/subscribe/send, cleared by close and revocation. */
  private active = false;
  private hasBeenReady = false;
  private ready = false;
  private socket: WebSocketLike | undefined;
  /** Bumped by every dial, close and restart so that a dial still loading its implementation gives up. */
  private dial = 0;
  private retryHintMs = 0;
  private heardSincePing = false;
  private round: { waiting: Set<string>; channels: ChannelResume[] } | undefined;

  constructor(context: RealtimeContext, options: RealtimeOptions = {}) {
    this.context = context;
    this.options = options;
    this.backoff = new Backoff(options.reconnect);
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Resolves once the connection is ready; rejects if it ends up `closed` first. */
  connect(): Promise<void> {
    if (this.current === "open") return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.start();
    return ready;
  }

  /**
   * Subscribes `handler` to a channel (connecting if needed) and returns the function that
   * unsubscribes it. Handlers of one channel share its stream: a second handler starts from
   * the live position, and `since` only applies to the first.
   */
  subscribe(channel: string, handler: SubscriptionHandler, options: SubscribeOptions = {}): () => void {
    const name = channel.toLowerCase();
    let subscription = this.subscriptions.get(name);
    if (subscription) {
      subscription.handlers.add(handler);
      const seq = subscription.stream.latestSeq;
      if (subscription.stream.isSubscribed && seq !== undefined) {
        callSafely(handler, { kind: "subscribed", channel: name, seq, recovered: true });
      }
    } else {
      const handlers = new Set<SubscriptionHandler>([handler]);
      const stream = new ChannelStream({
        channel: name,
        ...(options.since === undefined ? {} : { since: options.since }),
        fetchHistory: (query) => this.context.fetchHistory(name, query),
        emit: (update) => {
          for (const h of [...handlers]) callSafely(h, update);
        },
        onResumed: (resume) => this.channelResumed(resume),
      });
      subscription = { stream, handlers };
      this.subscriptions.set(name, subscription);
      if (this.ready) this.write(stream.subscribeFrame());
      this.start();
    }
    const owned = subscription;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      owned.handlers.delete(handler);
      if (owned.handlers.size > 0 || this.subscriptions.get(name) !== owned) return;
      this.subscriptions.delete(name);
      owned.stream.disconnected();
      if (this.ready) this.write({ op: "unsubscribe", channel: name });
      this.round?.waiting.delete(name);
      this.finishRound();
    };
  }

  /**
   * Sends a message and resolves with it once the server acknowledged it (it is then durably
   * in the log). If the connection drops first, the same frame — same nonce — is sent again
   * after reconnecting; the server answers a repeated nonce with the original message.
   * Rejects with the server's error, or with `unavailable` (status 0) on timeout or `close()`.
   * A timeout does not prove the message was not stored: retry with the same `nonce`.
   */
  send(channel: string, text: string, options: SendOptions = {}): Promise<Message> {
    const nonce = options.nonce ?? randomNonce();
    const result = this.submit(channel, text, { ...options, nonce });
    const toMessage = (r: SendResult): Message => {
      if (r.held) throw new MessageHeldError(r.id);
      return r.message;
    };
    const pending = this.pending.get(nonce);
    // A repeated nonce gets the very same promise, as it does from `submit`.
    if (pending) {
      pending.asMessage ??= result.then(toMessage);
      return pending.asMessage;
    }
    return result.then(toMessage);
  }

  /**
   * Like `send`, but a message that moderation holds for review (`{op:"held"}`) resolves as
   * `{held: true, id}` instead of rejecting with `MessageHeldError`.
   */
  submit(channel: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    const nonce = options.nonce ?? randomNonce();
    const existing = this.pending.get(nonce);
    if (existing) return existing.promise;
    const frame: SendFrame = { op: "send", channel: channel.toLowerCase(), text, nonce };
    if (options.replyTo !== undefined) frame.replyTo = options.replyTo;
    const timeoutMs = options.timeoutMs ?? this.options.sendTimeoutMs ?? 30_000;
    let settle: Pick<PendingSend, "resolve" | "reject"> | undefined;
    const promise = new Promise<SendResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const timer = setTimeout(() => this.settle(nonce, localError(`send timed out after ${timeoutMs} ms`)), timeoutMs);
    this.pending.set(nonce, { frame, promise, timer, ...settle! });
    if (this.ready) this.write(frame);
    this.start();
    return promise;
  }

  /** Reconnects at once, e.g. because the token changed; subscriptions resume by seq. */
  restart(): void {
    if (!this.active) return;
    this.teardown(true);
    this.setState("reconnecting");
    void this.open();
  }

  /**
   * The network came back or the page became visible again (a laptop woke up): stop waiting.
   * A pending reconnect dials now; an open socket is probed with a ping at once, so one that
   * died during sleep is replaced within `wakeProbeMs` instead of at the next ping interval.
   */
  wake(): void {
    if (!this.active) return;
    const socket = this.socket;
    if (!socket) {
      if (this.current === "reconnecting") {
        this.backoff.reset();
        void this.open();
      }
      return;
    }
    if (!this.ready) return;
    this.timers.clear("ping");
    this.heardSincePing = false;
    this.write({ op: "ping" });
    this.timers.set("pong", this.options.wakeProbeMs ?? 3_000, () => {
      if (this.heardSincePing) this.schedulePing();
      else this.drop(socket);
    });
  }

  /** Stops everything: socket, timers, subscriptions; pending sends and `connect()` calls reject. */
  close(): void {
    this.active = false;
    this.teardown(true);
    for (const { stream } of this.subscriptions.values()) stream.disconnected();
    this.subscriptions.clear();
    this.timers.clearAll();
    this.rejectAll(localError("client closed"));
    this.setState("closed");
  }

  // ---- connection ------------------------------------------------------------------------

  private start(): void {
    if (this.active) return;
    this.active = true;
    this.backoff.reset();
    this.setState("connecting");
    void this.open();
  }

  private async open(): Promise<void> {
    const dial = ++this.dial;
    this.timers.clear("reconnect");
    let Implementation: WebSocketConstructor;
    try {
      Implementation = await this.resolveImplementation();
    } catch (error) {
      if (dial !== this.dial || !this.active) return;
      const failure = localError(
        "no WebSocket implementation: pass the WebSocket option or use the @chorus/client/node entry",
        error,
      );
      this.events.emit("error", failure);
      this.stop(failure);
      return;
    }
    if (dial !== this.dial || !this.active) return;
    const token = this.context.getToken();
    let socket: WebSocketLike;
    try {
      socket = new Implementation(this.context.url);
    } catch (error) {
      this.events.emit("error", localError(`cannot open ${this.context.url}`, error));
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.timers.set("handshake", this.options.connectTimeoutMs ?? 10_000, () => this.drop(socket));
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      if (token === undefined) this.becomeReady();
      else this.write({ op: "auth", token });
    });
    socket.addEventListener("message", (event: MessageEventLike) => {
      if (this.socket === socket) this.receive(socket, event.data);
    });
    socket.addEventListener("close", (event: CloseEventLike) => {
      if (this.socket === socket) this.lost(event.code);
    });
    // `ws` throws an 'error' event that has no listener; the 'close' that follows does the work.
    socket.addEventListener("error", () => {});
  }

  private async resolveImplementation(): Promise<WebSocketConstructor> {
    this.implementation ??= this.options.WebSocket ?? globalWebSocket() ?? (await this.options.loadWebSocket?.());
    if (!this.implementation) throw new Error("globalThis.WebSocket is missing");
    return this.implementation;
  }

  private becomeReady(): void {
    this.timers.clear("handshake");
    this.ready = true;
    this.backoff.reset();
    const resuming = new Set<string>();
    for (const [name, { stream }] of this.subscriptions) {
      this.write(stream.subscribeFrame());
      if (stream.isResuming) resuming.add(name);
    }
    for (const pending of this.pending.values()) this.write(pending.frame);
    this.round = this.hasBeenReady ? { waiting: resuming, channels: [] } : undefined;
    this.hasBeenReady = true;
    this.schedulePing();
    this.setState("open");
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
    this.finishRound();
  }

  private receive(socket: WebSocketLike, data: unknown): void {
    this.heardSincePing = true;
    const text = messageText(data);
    let frames: ServerFrame[];
    try {
      if (text === undefined) throw new Error("binary frame");
      frames = decodeServerMessage(text);
    } catch (error) {
      this.events.emit("error", new ChorusError("internal", "malformed server message", { cause: error }));
      return;
    }
    for (const frame of frames) {
      // A handler may have closed or restarted the client in the middle of a batch.
      if (this.socket !== socket) return;
      if (isRecord(frame)) this.handle(socket, frame);
    }
  }

  private handle(socket: WebSocketLike, frame: ServerFrame): void {
    switch (frame.op) {
      case "auth_ok":
        this.events.emit("authenticated", frame.user);
        if (!this.ready) this.becomeReady();
        return;
      case "subscribed":
        this.subscriptions.get(frame.channel.toLowerCase())?.stream.onSubscribed(frame.seq, frame.recovered);
        return;
      case "event":
        this.subscriptions.get(frame.channel.toLowerCase())?.stream.onEvent(frame);
        return;
      case "ack":
        this.settle(frame.nonce, { held: false, message: frame.message });
        return;
      case "held":
        this.settle(frame.nonce, { held: true, id: frame.id });
        return;
      case "error":
        this.handleError(socket, frame);
        return;
      case "pong":
        this.timers.clear("pong");
        this.schedulePing();
        return;
      case "reconnect":
        // The server closes right after; wait for its close code (4003 matters) but not forever.
        this.retryHintMs = Math.max(0, Number(frame.retryAfterMs) || 0);
        this.timers.set("grace", this.options.reconnectGraceMs ?? 5_000, () => this.drop(socket));
        return;
      case "unsubscribed":
        return;
    }
  }

  private handleError(socket: WebSocketLike, frame: Extract<ServerFrame, { op: "error" }>): void {
    const error = errorFromFrame(frame);
    if (frame.nonce !== undefined) {
      this.settle(frame.nonce, error);
      return;
    }
    if (!this.ready) {
      // Before auth_ok the only frame sent was `auth`: this error answers it.
      if (AUTH_REFUSED.includes(error.code)) this.revoke(error);
      else this.drop(socket);
      return;
    }
    const name = frame.channel?.toLowerCase();
    const subscription = name === undefined ? undefined : this.subscriptions.get(name);
    if (name !== undefined && subscription) {
      if (subscription.stream.onError(error)) {
        this.subscriptions.delete(name);
        this.round?.waiting.delete(name);
        this.finishRound();
      }
      return;
    }
    this.events.emit("error", error);
  }

  private schedulePing(): void {
    this.timers.clear("pong");
    this.timers.set("ping", this.options.pingIntervalMs ?? 25_000, () => {
      const socket = this.socket;
      if (!socket) return;
      this.heardSincePing = false;
      this.write({ op: "ping" });
      this.timers.set("pong", this.options.pongTimeoutMs ?? 10_000, () => {
        // Frames still flowing prove the connection alive even if the pong sits behind them.
        if (this.heardSincePing) this.schedulePing();
        else this.drop(socket);
      });
    });
  }

  /** The socket closed (or was declared dead). */
  private lost(code: number): void {
    this.teardown(false);
    if (!this.active) return;
    if (code === CLOSE_CODES.revoked) {
      this.revoke(new ChorusError("unauthorized", "the session token was revoked"));
      return;
    }
    this.scheduleReconnect();
  }

  /** Gives up on a socket that is dead or misbehaving and reconnects. */
  private drop(socket: WebSocketLike): void {
    if (this.socket !== socket) return;
    this.lost(1006);
  }

  private scheduleReconnect(): void {
    this.setState("reconnecting");
    const delay = this.retryHintMs + this.backoff.next();
    this.retryHintMs = 0;
    this.timers.set("reconnect", delay, () => void this.open());
  }

  /** Forgets the current socket and everything tied to it; subscriptions keep their cursors. */
  private teardown(graceful: boolean): void {
    this.dial++;
    const socket = this.socket;
    this.socket = undefined;
    this.ready = false;
    this.round = undefined;
    this.timers.clear("handshake", "ping", "pong", "grace", "reconnect");
    for (const { stream } of this.subscriptions.values()) stream.disconnected();
    if (!socket) return;
    try {
      // A dead TCP connection would hold a graceful close for its full timeout.
      if (!graceful && socket.terminate) socket.terminate();
      else socket.close(1000, "client closed");
    } catch {
      // Closing a socket that is already closing may throw in some implementations.
    }
  }

  /** The token is no longer valid: stop, forget it, and fail what waited on it. */
  private revoke(error: ChorusError): void {
    // Stop first: forgetting the token notifies the owner, which must not restart us.
    this.stop(error);
    this.context.forgetToken();
    this.events.emit("revoked", error);
  }

  /** Ends up `closed` but keeps the subscriptions, which resume on the next `connect()`. */
  private stop(error: ChorusError): void {
    this.active = false;
    this.teardown(true);
    this.rejectAll(error);
    this.setState("closed");
  }

  private rejectAll(error: ChorusError): void {
    for (const nonce of [...this.pending.keys()]) this.settle(nonce, error);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private settle(nonce: string, outcome: SendResult | ChorusError): void {
    const pending = this.pending.get(nonce);
    if (!pending) return;
    this.pending.delete(nonce);
    clearTimeout(pending.timer);
    if (outcome instanceof ChorusError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  private channelResumed(resume: ChannelResume): void {
    if (!this.round?.waiting.delete(resume.channel)) return;
    this.round.channels.push(resume);
    this.finishRound();
  }

  private finishRound(): void {
    const round = this.round;
    if (!round || round.waiting.size > 0 || !this.ready) return;
    this.round = undefined;
    const missed = round.channels.reduce((sum, c) => sum + c.missed, 0);
    this.events.emit("resumed", { missed, channels: round.channels });
  }

  private write(frame: ClientFrame): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WS_OPEN) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch (error) {
      // The close event follows; whatever was not acknowledged is sent again after reconnecting.
      this.events.emit("error", localError("WebSocket send failed", error));
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    this.events.emit("state", state);
  }
}
