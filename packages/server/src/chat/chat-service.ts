/**
 * The write path of a chat message (docs/architecture.md): it orchestrates — builds a draft,
 * runs the write pipeline's checks (chat/checks/), builds the message, appends it to the
 * log. It never touches a subscriber socket: fan-out reads the log. Every path that
 * publishes a message — REST, WebSocket, shortcuts — comes here.
 */
import { LIMITS, type Message, type Sentiment } from "@chorus/protocol";
import type { AuthContext, AuthService } from "../auth/auth-service.js";
import type { ChannelState } from "../channels/channel-cache.js";
import type { ChannelService } from "../channels/channel-service.js";
import { AppError, forbidden, notFound } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { FirstTimers } from "../moderation/first-timers.js";
import type { HeldQueue } from "../moderation/held-queue.js";
import type { Limiter } from "../ports/limiter.js";
import type { ChannelLog } from "../ports/log.js";
import type { Store } from "../ports/store.js";
import { defaultChecks } from "./checks/index.js";
import type { Draft, DraftInput } from "./draft.js";
import { toMessage } from "./message.js";
import { roleOf } from "./permissions.js";
import { type Check, WritePipeline } from "./pipeline.js";

export type PostInput = DraftInput;

/**
 * Where a message's sentiment comes from (analysis/worker-pool.ts): never rejects, and answers
 * undefined rather than keep a message waiting (saturated, too slow, a worker died).
 */
export interface SentimentSource {
  analyze(text: string, customEmotes?: Readonly<Record<string, number>>): Promise<Sentiment | undefined>;
  /** The answer within this event-loop turn, waiting at most `budgetMs` (undefined: none by then). */
  analyzeNow?(
    text: string,
    customEmotes: Readonly<Record<string, number>> | undefined,
    budgetMs: number,
  ): Sentiment | undefined;
}

export interface PostResult {
  message: Message;
  /** True when the nonce was seen before: the original message is returned, nothing new is logged. */
  duplicate: boolean;
  /** Set when moderation holds the message for review: its id in the queue (nothing is logged yet). */
  heldId?: string;
}

/** What became of a draft: refused, answered from the log (a retry), held, or on its way to the log. */
export type Submitted =
  | { kind: "rejected"; error: AppError }
  | { kind: "duplicate"; message: Message }
  | { kind: "held"; message: Message; heldId: string }
  | { kind: "accepted"; durable: Promise<{ message: Message; duplicate: boolean }> };

export class ChatService {
  private readonly pipeline: WritePipeline;
  private readonly firstTimers: FirstTimers;
  /** Per channel, the last message on its way to the log: appends wait their turn (see submit). */
  private readonly tails = new Map<string, Promise<unknown>>();
  private sentiment: SentimentSource | null = null;
  /** Set when the source can answer within the turn: how long a message may wait for it. */
  private sentimentBudgetMs = 0;

  constructor(
    private readonly store: Store,
    private readonly log: ChannelLog,
    private readonly channels: ChannelService,
    private readonly auth: AuthService,
    limiter: Limiter,
    private readonly metrics: Metrics,
    private readonly held: HeldQueue,
    checks: readonly Check[] = defaultChecks({ log, limiter, store }),
  ) {
    this.pipeline = new WritePipeline(checks);
    this.firstTimers = new FirstTimers(store);
  }

  /** Every message is analysed before it is logged, so all its readers see one sentiment. */
  useSentiment(source: SentimentSource | null, sameTurnBudgetMs = 0): void {
    this.sentiment = source;
    this.sentimentBudgetMs = source?.analyzeNow && sameTurnBudgetMs > 0 ? sameTurnBudgetMs : 0;
  }

  async post(ctx: AuthContext, channelName: string, input: PostInput, address: string | null): Promise<PostResult> {
    return (await this.accept(ctx, channelName, input, address)).durable;
  }

  /**
   * Runs the message through the write pipeline and hands it to the log; resolves once the
   * log has it queued (so a connection's messages keep their order) with `durable`, which
   * settles when the message is durable — the moment to acknowledge. `address` is the sender's
   * IP as the transport saw it (never from the request body).
   */
  async accept(
    ctx: AuthContext,
    channelName: string,
    input: PostInput,
    address: string | null,
  ): Promise<{ durable: Promise<PostResult> }> {
    const channel = await this.channels.state(channelName);
    const { user } = ctx;
    const draft: Draft = {
      channel,
      author: { kind: "local", user, role: roleOf(channel, user), exempt: this.auth.isExempt(user), address },
      rawText: input.text,
      text: "",
      nonce: input.nonce,
      replyTo: input.replyTo,
      dedupKey: input.nonce === undefined ? undefined : `${channelName}:${user.id}:${input.nonce}`,
      receivedAt: Date.now(),
    };
    const submitted = await this.submit(draft);
    switch (submitted.kind) {
      case "rejected":
        throw submitted.error;
      case "duplicate":
        return { durable: Promise.resolve({ message: submitted.message, duplicate: true }) };
      case "held":
        return {
          durable: Promise.resolve({ message: submitted.message, duplicate: false, heldId: submitted.heldId }),
        };
      case "accepted":
        return { durable: submitted.durable };
    }
  }

  /**
   * The write path of any draft, native or ingested: the pipeline, then the review queue or
   * the log. Resolves once the log has the message queued; `durable` settles when it is
   * durable.
   */
  async submit(draft: Draft): Promise<Submitted> {
    const outcome = await this.pipeline.run(draft);
    if (outcome.kind === "rejected") return { kind: "rejected", error: outcome.error };
    if (outcome.kind === "duplicate") return { kind: "duplicate", message: outcome.message };
    const message = toMessage(outcome.draft);
    const channelName = draft.channel.record.name;
    const userId = draft.author.user.id;
    const { sentimentEmotes } = draft.channel.record.settings;
    const emotes = Object.keys(sentimentEmotes).length > 0 ? sentimentEmotes : undefined;
    let sentiment: Promise<Sentiment | undefined> | null = null;
    if (this.sentiment?.analyzeNow && this.sentimentBudgetMs > 0) {
      // Within this turn: the message then goes to the log exactly as it would without analysis.
      const started = performance.now();
      const analysed = this.sentiment.analyzeNow(message.text, emotes, this.sentimentBudgetMs);
      this.metrics.sentimentWait.observe((performance.now() - started) / 1000);
      this.metrics.sentiment.inc({ outcome: analysed ? "analysed" : "without" });
      if (analysed) message.sentiment = analysed;
    } else if (this.sentiment) {
      // Started at once, so the worker's time overlaps the first-message lookup below.
      sentiment = this.analyze(this.sentiment, message.text, emotes);
    }
    // An ingested message is a first one when its platform says so (our log has only part of its history).
    if (
      draft.author.kind === "local" &&
      !this.firstTimers.known(channelName, userId) &&
      (await this.firstTimers.isFirst(channelName, userId))
    ) {
      message.firstMessage = true;
    }
    if (outcome.kind === "held") {
      const analysed = sentiment ? await sentiment : undefined;
      if (analysed) message.sentiment = analysed;
      const heldId = await this.held.hold(message, outcome.reasons, draft.dedupKey);
      this.metrics.messagesHeld.inc();
      return { kind: "held", message, heldId };
    }
    const durable = this.appendInTurn(channelName, message, sentiment, draft).then(({ event, duplicate }) => {
      if (!duplicate) this.metrics.messagesAccepted.inc();
      return { message: event, duplicate };
    });
    // Callers that stop listening (a closed socket) must not leave an unhandled rejection.
    durable.catch(() => undefined);
    return { kind: "accepted", durable };
  }

  /**
   * Deletes a message: its author may; anyone else only if `authorizeOther` (the moderation
   * permission table) lets them. Resolves with the author's id.
   */
  async remove(
    ctx: AuthContext,
    channelName: string,
    messageId: string,
    authorizeOther: (channel: ChannelState) => void = () => {
      throw forbidden("you can only delete your own messages");
    },
  ): Promise<{ authorId: string; dedupKey: string | null }> {
    const state = await this.channels.state(channelName);
    // Wait for in-flight appends so a message just acknowledged can be found.
    let ref = await this.store.events.messageRef(channelName, messageId);
    if (!ref) {
      await this.log.drain(channelName);
      ref = await this.store.events.messageRef(channelName, messageId);
    }
    if (!ref || ref.deleted) throw notFound("message");
    if (ref.authorId !== ctx.user.id) authorizeOther(state);
    await this.log.append(channelName, {
      type: "message_deleted",
      at: Date.now(),
      data: { id: messageId, by: ctx.user.username },
    });
    return { authorId: ref.authorId, dedupKey: ref.dedupKey };
  }

  async history(channelName: string, query: { before?: number; after?: number; limit?: number }): Promise<Message[]> {
    await this.channels.state(channelName);
    const limit = Math.min(query.limit ?? LIMITS.historyDefault, LIMITS.historyMax);
    return this.store.events.messages({ channel: channelName, before: query.before, after: query.after, limit });
  }

  /**
   * Hands the message to the log once its sentiment is in. The analysis answers
   * asynchronously (and another message's may answer first), but a channel's messages must
   * reach the log in the order they were accepted: each waits for the one before it to be
   * handed over (not to be durable — the log commits them in batches). The wait is bounded
   * by the pool's timeout. Without analysis, the message goes to the log at once.
   */
  private appendInTurn(
    channel: string,
    message: Message,
    sentiment: Promise<Sentiment | undefined> | null,
    draft: Draft,
  ): Promise<{ event: Message; duplicate: boolean }> {
    const previous = this.tails.get(channel);
    if (!sentiment && !previous) return this.append(channel, message, draft.receivedAt, draft.dedupKey);
    const handedOver = Promise.all([previous, sentiment]).then(([, analysed]) => {
      if (analysed) message.sentiment = analysed;
      // Wrapped, so that this promise settles when the log has the message, not when it is durable.
      return { durable: this.append(channel, message, draft.receivedAt, draft.dedupKey) };
    });
    const tail = handedOver.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    return handedOver.then(({ durable }) => durable);
  }

  private analyze(
    source: SentimentSource,
    text: string,
    emotes: Readonly<Record<string, number>> | undefined,
  ): Promise<Sentiment | undefined> {
    const pending = source.analyze(text, emotes);
    return pending.then((s) => {
      this.metrics.sentiment.inc({ outcome: s ? "analysed" : "without" });
      return s;
    });
  }

  private async append(
    channel: string,
    message: Message,
    at: number,
    dedupKey: string | undefined,
  ): Promise<{ event: Message; duplicate: boolean }> {
    // Failures go to the error boundary as thrown: a dependency outage becomes 503
    // `unavailable` there, anything else is a bug and must be reported as one.
    const { event, duplicate } = await this.log.append(channel, { type: "message", at, data: message }, dedupKey);
    if (event.type !== "message") throw new AppError("conflict", "nonce was already used for another event");
    return { event: event.data, duplicate };
  }
}
