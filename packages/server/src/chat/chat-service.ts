/**
 * The write path of a chat message (DESIGN.md §1): validate and normalise, authorise,
 * rate-limit, then append to the log. It never touches a subscriber socket: fan-out reads
 * the log. Every path that publishes a message — REST, WebSocket, shortcuts — comes here.
 */
import { randomUUID } from "node:crypto";
import { extractMentions, LIMITS, type Message, normalizeMessageText } from "@chorus/protocol";
import type { AuthContext, AuthService } from "../auth/auth-service.js";
import { AppError, forbidden, invalid, notFound } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Limiter } from "../ports/limiter.js";
import type { ChannelLog } from "../ports/log.js";
import type { Store } from "../ports/store.js";
import type { ChannelService } from "./channel-service.js";
import { badgesFor, hasRole, roleOf } from "./permissions.js";

export interface PostInput {
  text: unknown;
  nonce?: string | undefined;
  replyTo?: string | undefined;
}

export interface PostResult {
  message: Message;
  /** True when the nonce was seen before: the original message is returned, nothing new is logged. */
  duplicate: boolean;
}

export class ChatService {
  constructor(
    private readonly store: Store,
    private readonly log: ChannelLog,
    private readonly channels: ChannelService,
    private readonly auth: AuthService,
    private readonly limiter: Limiter,
    private readonly metrics: Metrics,
  ) {}

  async post(ctx: AuthContext, channelName: string, input: PostInput): Promise<PostResult> {
    return (await this.accept(ctx, channelName, input)).durable;
  }

  /**
   * Validates, authorises and hands the message to the log; resolves once the log has it
   * queued (so a connection's messages keep their order) with `durable`, which settles when
   * the message is durable — the moment to acknowledge.
   */
  async accept(ctx: AuthContext, channelName: string, input: PostInput): Promise<{ durable: Promise<PostResult> }> {
    const state = await this.channels.state(channelName);
    const normalized = normalizeMessageText(input.text);
    if (!normalized.ok) throw invalid(normalized.reason);
    if (input.nonce !== undefined && (input.nonce.length === 0 || input.nonce.length > LIMITS.nonceMaxChars)) {
      throw invalid(`nonce must be 1–${LIMITS.nonceMaxChars} characters`);
    }
    const { user } = ctx;
    const dedupKey = input.nonce === undefined ? undefined : `${channelName}:${user.id}:${input.nonce}`;
    // A retried nonce is answered before any limit is charged: retrying must never cost.
    if (dedupKey !== undefined) {
      const original = await this.log.seen(channelName, dedupKey);
      if (original?.type === "message")
        return { durable: Promise.resolve({ message: original.data, duplicate: true }) };
    }
    if (user.isGuest && !state.record.settings.guestsAllowed && !hasRole(state, user, "vip")) {
      throw forbidden("guests cannot chat in this channel");
    }
    const exempt = this.auth.isExempt(user);
    if (!exempt) {
      const decision = await this.limiter.consume("message", user.id);
      if (!decision.allowed) {
        throw new AppError("rate_limited", "you are sending messages too quickly", decision.retryAfterMs);
      }
    }
    if (input.replyTo !== undefined) {
      const parent = await this.store.events.messageRef(channelName, input.replyTo);
      if (!parent || parent.deleted) throw invalid("replyTo does not name a message in this channel");
    }
    const role = roleOf(state, user);
    const now = Date.now();
    const message: Message = {
      id: randomUUID(),
      channel: channelName,
      seq: 0, // assigned by the log
      text: normalized.text,
      createdAt: now,
      author: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        color: user.color,
        role,
        badges: badgesFor(role, user, exempt && !user.isAdmin),
        platform: "chorus",
      },
    };
    if (input.replyTo !== undefined) message.replyTo = input.replyTo;
    const mentions = extractMentions(normalized.text);
    if (mentions.length > 0) message.mentions = mentions;
    if (state.broadcast) message.broadcastId = state.broadcast.id;
    const durable = this.append(channelName, message, now, dedupKey).then(({ event, duplicate }) => {
      if (!duplicate) this.metrics.messagesAccepted.inc();
      return { message: event, duplicate };
    });
    // Callers that stop listening (a closed socket) must not leave an unhandled rejection.
    durable.catch(() => undefined);
    return { durable };
  }

  async remove(ctx: AuthContext, channelName: string, messageId: string): Promise<void> {
    const state = await this.channels.state(channelName);
    // Wait for in-flight appends so a message just acknowledged can be found.
    let ref = await this.store.events.messageRef(channelName, messageId);
    if (!ref) {
      await this.log.drain(channelName);
      ref = await this.store.events.messageRef(channelName, messageId);
    }
    if (!ref || ref.deleted) throw notFound("message");
    if (ref.authorId !== ctx.user.id && !hasRole(state, ctx.user, "moderator")) {
      throw forbidden("you can only delete your own messages");
    }
    await this.log.append(channelName, {
      type: "message_deleted",
      at: Date.now(),
      data: { id: messageId, by: ctx.user.username },
    });
  }

  async history(channelName: string, query: { before?: number; after?: number; limit?: number }): Promise<Message[]> {
    await this.channels.state(channelName);
    const limit = Math.min(query.limit ?? LIMITS.historyDefault, LIMITS.historyMax);
    return this.store.events.messages({ channel: channelName, before: query.before, after: query.after, limit });
  }

  async transcript(
    channelName: string,
    broadcastId: string,
    query: { before?: number; after?: number; limit?: number },
  ): Promise<Message[]> {
    await this.channels.broadcast(channelName, broadcastId);
    const limit = Math.min(query.limit ?? LIMITS.historyDefault, LIMITS.historyMax);
    return this.store.events.messages({
      channel: channelName,
      broadcastId,
      before: query.before,
      after: query.after,
      limit,
    });
  }

  private async append(
    channel: string,
    message: Message,
    at: number,
    dedupKey: string | undefined,
  ): Promise<{ event: Message; duplicate: boolean }> {
    try {
      const { event, duplicate } = await this.log.append(channel, { type: "message", at, data: message }, dedupKey);
      if (event.type !== "message") throw new AppError("conflict", "nonce was already used for another event");
      return { event: event.data, duplicate };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("unavailable", "the chat log is unavailable, try again");
    }
  }
}
