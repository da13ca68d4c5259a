/**
 * One channel's view of the log: the cursor (last seq delivered), de-duplication, gap repair
 * and the reload that follows `recovered:false`. It knows nothing about sockets: the
 * connection hands it frames and asks it for the next subscribe frame, so the whole resume
 * policy can be tested without a server.
 *
 * Guarantees to the handler, per channel:
 * - logged events arrive in seq order, each seq at most once;
 * - a seq is skipped only when the server lost it (`reset`) or REST history could not
 *   return it (a hole filled from history carries only `message` events, and deleted
 *   messages are omitted by the server);
 * - ephemeral events (no seq) are passed through as they come, never de-duplicated.
 */
import {
  type ChannelEvent,
  isLoggedEvent,
  type LoggedEvent,
  type Message,
  type SubscribeFrame,
} from "@chorus/protocol";
import { ChorusError, localError } from "./errors.js";

/**
 * What a subscription handler receives.
 * - `subscribed`: the server confirmed the subscription (again after every reconnect); `seq`
 *   is the channel's latest seq at that moment.
 * - `event`: a channel event. Logged events are in seq order without duplicates; `fromHistory`
 *   marks a `message` event rebuilt from REST history to fill a gap in the live stream.
 * - `reset`: the server could not replay what was missed (`recovered:false`). Drop what is
 *   shown for the channel and render `messages` (the latest page, seq ascending); events
 *   that follow continue after `seq`. `error` is set when that page could not be loaded.
 * - `error`: the server refused something for this channel. `fatal` means the subscription
 *   is over (for example `not_found` or `forbidden` answering the subscribe).
 */
export type SubscriptionUpdate =
  | { kind: "subscribed"; channel: string; seq: number; recovered: boolean }
  | { kind: "event"; channel: string; event: ChannelEvent; fromHistory?: true }
  | { kind: "reset"; channel: string; seq: number; messages: Message[]; error?: ChorusError }
  | { kind: "error"; channel: string; error: ChorusError; fatal: boolean };

export type SubscriptionHandler = (update: SubscriptionUpdate) => void;

/** How one channel caught up after a reconnect. */
export interface ChannelResume {
  channel: string;
  /** First seq that was missed (the cursor before the reconnect + 1). */
  fromSeq: number;
  /** The channel's latest seq when the server answered the resubscribe. */
  toSeq: number;
  /** Logged events delivered to fill the hole (0 when `recovered` is false: a `reset` was sent). */
  missed: number;
  recovered: boolean;
}

export interface HistoryPageQuery {
  before?: number;
  after?: number;
  limit: number;
}

export interface ChannelStreamOptions {
  channel: string;
  /** Replay logged events after this seq on the first subscribe. */
  since?: number;
  fetchHistory(query: HistoryPageQuery): Promise<Message[]>;
  emit(update: SubscriptionUpdate): void;
  /** Called once per resubscribe after a reconnect, when everything missed has been delivered. */
  onResumed?(resume: ChannelResume): void;
  /** Page size when filling a gap from history. @default 200 (the server's maximum) */
  gapPageSize?: number;
  /** Page size of the reload after `recovered:false`. @default 50 */
  resetPageSize?: number;
}

export type SeqVerdict = "deliver" | "duplicate" | "gap";

/** Where a logged event with `seq` stands relative to the last seq delivered. */
export function classifySeq(lastSeq: number | undefined, seq: number): SeqVerdict {
  if (lastSeq === undefined) return "deliver";
  if (seq <= lastSeq) return "duplicate";
  return seq === lastSeq + 1 ? "deliver" : "gap";
}

/** The `message` event a history entry stands for. */
export function messageEvent(message: Message): LoggedEvent<"message"> {
  return {
    op: "event",
    channel: message.channel,
    seq: message.seq,
    type: "message",
    at: message.createdAt,
    data: message,
  };
}

type Phase = "idle" | "subscribing" | "live" | "syncing";

export class ChannelStream {
  readonly channel: string;
  private readonly options: ChannelStreamOptions;
  private cursor: number | undefined;
  private head: number | undefined;
  private sentSince: number | undefined;
  private resuming = false;
  private phase: Phase = "idle";
  private buffer: LoggedEvent[] = [];
  /** Bumped whenever the connection changes, so that late async work of an old one is dropped. */
  private generation = 0;
  private resume: { fromSeq: number; toSeq: number; delivered: number } | undefined;

  constructor(options: ChannelStreamOptions) {
    this.channel = options.channel;
    this.options = options;
  }

  /** The seq of the last logged event delivered to the handler. */
  get lastSeq(): number | undefined {
    return this.cursor;
  }

  /** True once the server confirmed the subscription on the current connection. */
  get isSubscribed(): boolean {
    return this.phase === "live" || this.phase === "syncing";
  }

  /** The latest seq the server reported on the current connection. */
  get latestSeq(): number | undefined {
    return this.head;
  }

  /** True when the frame last built resumes a cursor from an earlier connection. */
  get isResuming(): boolean {
    return this.resuming;
  }

  /** The frame that (re)subscribes on a fresh connection: it resumes from the cursor. */
  subscribeFrame(): SubscribeFrame {
    this.detach();
    this.phase = "subscribing";
    this.resuming = this.cursor !== undefined;
    this.sentSince = this.cursor ?? this.options.since;
    return this.sentSince === undefined
      ? { op: "subscribe", channel: this.channel }
      : { op: "subscribe", channel: this.channel, since: this.sentSince };
  }

  /** The connection is gone: forget everything that belonged to it, keep the cursor. */
  disconnected(): void {
    this.detach();
    this.phase = "idle";
  }

  onSubscribed(seq: number, recovered: boolean): void {
    if (this.phase !== "subscribing") return;
    this.head = seq;
    this.options.emit({ kind: "subscribed", channel: this.channel, seq, recovered });
    const since = this.sentSince;
    if (since === undefined) {
      this.cursor = seq;
      this.goLive();
      return;
    }
    // A cursor beyond the head belongs to a log this server no longer has: trusting it would
    // drop every new event as a duplicate.
    if (!recovered || since > seq) {
      void this.reload(seq, since);
      return;
    }
    this.cursor = since;
    if (this.resuming) this.resume = { fromSeq: since + 1, toSeq: seq, delivered: 0 };
    this.goLive();
  }

  onEvent(event: ChannelEvent): void {
    if (this.phase === "idle") return;
    if (!isLoggedEvent(event)) {
      this.options.emit({ kind: "event", channel: this.channel, event });
      return;
    }
    if (this.phase === "live") this.process(event);
    else this.buffer.push(event);
  }

  /**
   * An error frame about this channel. Returns true when it ends the subscription: an error
   * that answers the subscribe means the server never subscribed us.
   */
  onError(error: ChorusError): boolean {
    const fatal = this.phase === "subscribing";
    if (fatal) this.disconnected();
    this.options.emit({ kind: "error", channel: this.channel, error, fatal });
    return fatal;
  }

  private detach(): void {
    this.generation++;
    this.buffer = [];
    this.resume = undefined;
    this.head = undefined;
  }

  private process(event: LoggedEvent): void {
    switch (classifySeq(this.cursor, event.seq)) {
      case "duplicate":
        return;
      case "deliver":
        this.deliver(event);
        this.checkResumed();
        return;
      case "gap":
        this.phase = "syncing";
        this.buffer.push(event);
        void this.fillGap(this.cursor ?? 0, event.seq);
        return;
    }
  }

  private deliver(event: LoggedEvent, fromHistory = false): void {
    this.cursor = event.seq;
    if (this.head === undefined || event.seq > this.head) this.head = event.seq;
    if (this.resume) this.resume.delivered++;
    this.options.emit(
      fromHistory
        ? { kind: "event", channel: this.channel, event, fromHistory: true }
        : { kind: "event", channel: this.channel, event },
    );
  }

  private goLive(): void {
    this.phase = "live";
    const pending = this.buffer.sort((a, b) => a.seq - b.seq);
    this.buffer = [];
    for (const [i, event] of pending.entries()) {
      if (this.phase !== "live") {
        // A gap opened again while flushing: keep the rest for after that repair.
        this.buffer.push(...pending.slice(i));
        return;
      }
      this.process(event);
    }
    this.checkResumed();
  }

  private checkResumed(): void {
    const resume = this.resume;
    if (!resume || this.phase !== "live" || (this.cursor ?? 0) < resume.toSeq) return;
    this.resume = undefined;
    this.options.onResumed?.({
      channel: this.channel,
      fromSeq: resume.fromSeq,
      toSeq: resume.toSeq,
      missed: resume.delivered,
      recovered: true,
    });
  }

  /**
   * A seq was skipped on a live stream (the server promises this never happens, so it is
   * treated as loss): page through REST history after the cursor up to the event that
   * revealed the gap, deliver those messages, then continue with the buffered live events.
   */
  private async fillGap(after: number, until: number): Promise<void> {
    const generation = this.generation;
    const pageSize = this.options.gapPageSize ?? 200;
    let from = after;
    try {
      for (;;) {
        const page = await this.options.fetchHistory({ after: from, limit: pageSize });
        if (generation !== this.generation) return;
        let last = from;
        for (const message of page) {
          if (message.seq <= from || message.seq >= until) continue;
          last = Math.max(last, message.seq);
          if (message.seq > (this.cursor ?? 0)) this.deliver(messageEvent(message), true);
        }
        if (page.length < pageSize || last >= until - 1 || last <= from) break;
        from = last;
      }
    } catch (error) {
      if (generation !== this.generation) return;
      this.options.emit({ kind: "error", channel: this.channel, error: asChorusError(error), fatal: false });
    }
    // Whatever history could not return is lost for good; move past it.
    this.cursor = Math.max(this.cursor ?? 0, until - 1);
    this.goLive();
  }

  /** `recovered:false`: reload the latest page and tell the handler to start over. */
  private async reload(head: number, since: number): Promise<void> {
    this.phase = "syncing";
    const generation = this.generation;
    const limit = this.options.resetPageSize ?? 50;
    let messages: Message[] = [];
    let failure: ChorusError | undefined;
    try {
      // `before: head + 1` pins the page to the log as it stood at the subscribe: newer
      // messages arrive on the socket and must not be shown twice.
      messages = (await this.options.fetchHistory({ before: head + 1, limit })).filter((m) => m.seq <= head);
    } catch (error) {
      failure = asChorusError(error);
    }
    if (generation !== this.generation) return;
    this.cursor = head;
    this.options.emit(
      failure
        ? { kind: "reset", channel: this.channel, seq: head, messages, error: failure }
        : { kind: "reset", channel: this.channel, seq: head, messages },
    );
    if (this.resuming) {
      this.options.onResumed?.({ channel: this.channel, fromSeq: since + 1, toSeq: head, missed: 0, recovered: false });
    }
    this.goLive();
  }
}

function asChorusError(error: unknown): ChorusError {
  return error instanceof ChorusError ? error : localError(String(error), error);
}
