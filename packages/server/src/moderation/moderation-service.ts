/**
 * Moderators' actions on a channel: delete a message, clear the chat, time out, ban, lift,
 * assign roles, mark suspicious users, read the bans and the modlog. Each action is authorised by the one
 * permission table, appended to the channel log as its event (so every viewer's client
 * follows, and every node's channel cache reloads the sanctions), and written to the modlog.
 */
import { randomUUID } from "node:crypto";
import {
  type ChannelStanding,
  type HeldMessage,
  LIMITS,
  type Message,
  type ModlogEntry as ModlogView,
  type Role,
  type Sanction,
  type UserStatus,
  type UserStatusKind,
} from "@chorus/protocol";
import type { AuthContext } from "../auth/auth-service.js";
import type { ChannelState } from "../channels/channel-cache.js";
import type { ChannelService } from "../channels/channel-service.js";
import type { ChatService } from "../chat/chat-service.js";
import { roleOf } from "../chat/permissions.js";
import { invalid, notFound } from "../errors.js";
import type { ChannelLog } from "../ports/log.js";
import type { ModlogEntry, SanctionRecord, Store, UserRecord, UserStatusRecord } from "../ports/store.js";
import type { NotifyModerators } from "./held-queue.js";
import { allowed, authorize, type ModAction } from "./permissions.js";

/** What moderation tells the origin platforms about (implemented by OriginModeration). */
export interface OriginHooks {
  deleted(channel: string, dedupKey: string | null, by: string): void;
  sanctioned(
    channel: string,
    target: UserRecord,
    durationSec: number | undefined,
    reason: string | null,
    by: string,
  ): void;
  lifted(channel: string, target: UserRecord, by: string): void;
}

/** Longest timeout (Twitch's: two weeks). */
export const MAX_TIMEOUT_SEC = 14 * 24 * 3600;
export const MODLOG_PAGE_MAX = 200;
export const HELD_PAGE_MAX = 500;

export class ModerationService {
  constructor(
    private readonly store: Store,
    private readonly log: ChannelLog,
    private readonly channels: ChannelService,
    private readonly chat: ChatService,
    private readonly notify: NotifyModerators,
    /** Sends the action to the platform a mirrored message or user came from (connectors/origin-moderation.ts). */
    private readonly origin: OriginHooks | null = null,
  ) {}

  /** The review queue, oldest first. */
  async held(ctx: AuthContext, channel: string): Promise<HeldMessage[]> {
    await this.authorized(ctx, channel, "review_held");
    return (await this.store.held.list(channel, HELD_PAGE_MAX)).map(({ id, message, reasons, at }) => ({
      id,
      message,
      reasons,
      at,
    }));
  }

  /**
   * Approving publishes the message as a normal message event (a new seq, now); denying drops
   * it. Either way every node's moderators hear `held_resolved`, and it is in the modlog. Of
   * two moderators resolving the same message at once, one does it and the other gets 404.
   */
  async resolveHeld(ctx: AuthContext, channel: string, id: string, approve: boolean): Promise<Message | null> {
    await this.authorized(ctx, channel, "review_held");
    const held = await this.store.held.take(channel, id);
    if (!held) throw notFound("held message");
    let published: Message | null = null;
    if (approve) {
      const { event } = await this.log.append(channel, { type: "message", at: Date.now(), data: held.message });
      if (event.type === "message") published = event.data;
    }
    this.notify(channel, {
      op: "event",
      channel,
      type: "held_resolved",
      at: Date.now(),
      data: { id, approved: approve, by: ctx.user.username },
    });
    const author = await this.store.users.byId(held.message.author.id);
    await this.record(ctx, channel, approve ? "approve_held" : "deny_held", author, null, {
      messageId: id,
      reasons: held.reasons,
      text: held.message.text,
    });
    return published;
  }

  /** A timeout with `durationSec`, else a ban; replaces the user's standing sanction. */
  async sanction(
    ctx: AuthContext,
    channel: string,
    input: { username: string; durationSec?: number | undefined; reason?: string | undefined },
  ): Promise<Sanction> {
    const timeout = input.durationSec !== undefined;
    if (timeout && (input.durationSec ?? 0) > MAX_TIMEOUT_SEC) {
      throw invalid(`durationSec must be 1–${MAX_TIMEOUT_SEC}`);
    }
    const { target } = await this.prepare(ctx, channel, timeout ? "timeout" : "ban", input.username);
    const at = Date.now();
    const reason = cleanReason(input.reason);
    const sanction: SanctionRecord = {
      channel,
      userId: target.id,
      username: target.username,
      kind: timeout ? "timeout" : "ban",
      until: timeout ? at + (input.durationSec ?? 0) * 1000 : null,
      reason,
      by: ctx.user.username,
      at,
    };
    await this.store.sanctions.put(sanction);
    await this.log.append(
      channel,
      timeout
        ? {
            type: "user_timed_out",
            at,
            data: { username: target.username, until: sanction.until ?? at, reason },
          }
        : { type: "user_banned", at, data: { username: target.username, reason } },
    );
    await this.record(ctx, channel, sanction.kind, target, reason, timeout ? { durationSec: input.durationSec } : {});
    this.origin?.sanctioned(channel, target, timeout ? input.durationSec : undefined, reason, ctx.user.username);
    await this.channels.invalidate(channel);
    await this.channels.announceSanction(channel, target.id, sanction);
    this.channels.announceChange(channel);
    return toView(sanction);
  }

  async lift(ctx: AuthContext, channel: string, username: string): Promise<void> {
    const { target } = await this.prepare(ctx, channel, "unban", username);
    // A timeout that ran out is no longer standing: nothing to lift (its row is tidied away).
    const standing = (await this.store.sanctions.active(channel, Date.now())).some((s) => s.userId === target.id);
    const removed = await this.store.sanctions.remove(channel, target.id);
    if (!standing || !removed) throw notFound("ban or timeout");
    await this.log.append(channel, { type: "user_unbanned", at: Date.now(), data: { username: target.username } });
    await this.record(ctx, channel, "unban", target, null, {});
    this.origin?.lifted(channel, target, ctx.user.username);
    await this.channels.invalidate(channel);
    await this.channels.announceSanction(channel, target.id, null);
    this.channels.announceChange(channel);
  }

  async sanctions(ctx: AuthContext, channel: string): Promise<Sanction[]> {
    await this.authorized(ctx, channel, "view_bans");
    return (await this.store.sanctions.active(channel, Date.now())).map(toView);
  }

  async clear(ctx: AuthContext, channel: string): Promise<void> {
    await this.authorized(ctx, channel, "clear_chat");
    await this.log.append(channel, { type: "chat_cleared", at: Date.now(), data: { by: ctx.user.username } });
    await this.record(ctx, channel, "clear_chat", null, null, {});
  }

  /** Authors delete their own messages; moderators anyone's (and that is logged). */
  async deleteMessage(ctx: AuthContext, channel: string, messageId: string): Promise<void> {
    const { authorId, dedupKey } = await this.chat.remove(ctx, channel, messageId, (state) =>
      authorize(state, ctx.user, "delete_message"),
    );
    if (authorId !== ctx.user.id) {
      const author = await this.store.users.byId(authorId);
      await this.record(ctx, channel, "delete_message", author, null, { messageId });
      this.origin?.deleted(channel, dedupKey, ctx.user.username);
    }
  }

  async setRole(ctx: AuthContext, channel: string, username: string, role: Role): Promise<void> {
    if (role === "owner") throw invalid("ownership cannot be given this way");
    const { target } = await this.prepare(ctx, channel, "set_role", username);
    await this.channels.setRole(channel, target.id, role);
    await this.record(ctx, channel, "set_role", target, null, { role });
  }

  /**
   * The caller's standing in the channel, for a page to show the right controls and banner at
   * once. A suspicious-user mark is not included: Twitch does not tell the user either.
   */
  async standing(ctx: AuthContext | null, channel: string): Promise<ChannelStanding> {
    const state = await this.channels.state(channel);
    if (!ctx) return { role: null, canModerate: false, sanction: null, followedAt: null };
    const role = roleOf(state, ctx.user);
    const sanction = state.sanctions.get(ctx.user.id);
    const standing = sanction && (sanction.until === null || sanction.until > Date.now()) ? toView(sanction) : null;
    return {
      role,
      canModerate: allowed(role, ctx.user.isAdmin, "view_bans"),
      sanction: standing,
      followedAt: await this.store.follows.since(channel, ctx.user.id),
    };
  }

  /**
   * Marks a user restricted or monitored (replacing any mark). Moderators on every node hear
   * `user_status_changed`; the user is not told. Every node's channel cache reloads the marks,
   * so the next message of a restricted user is held wherever it is sent.
   */
  async setStatus(
    ctx: AuthContext,
    channel: string,
    username: string,
    status: UserStatusKind,
    reason: string | undefined,
  ): Promise<UserStatus> {
    const { target } = await this.prepare(ctx, channel, "restrict", username);
    const record: UserStatusRecord = {
      channel,
      userId: target.id,
      username: target.username,
      status,
      reason: cleanReason(reason),
      by: ctx.user.username,
      at: Date.now(),
    };
    await this.store.userStatus.put(record);
    await this.statusChanged(ctx, channel, target, status, record.reason);
    return statusView(record);
  }

  async clearStatus(ctx: AuthContext, channel: string, username: string): Promise<void> {
    const { target } = await this.prepare(ctx, channel, "restrict", username);
    if (!(await this.store.userStatus.remove(channel, target.id))) throw notFound("restriction or monitoring");
    await this.statusChanged(ctx, channel, target, null, null);
  }

  async statuses(ctx: AuthContext, channel: string): Promise<UserStatus[]> {
    await this.authorized(ctx, channel, "view_bans");
    return (await this.store.userStatus.list(channel)).map(statusView);
  }

  private async statusChanged(
    ctx: AuthContext,
    channel: string,
    target: UserRecord,
    status: UserStatusKind | null,
    reason: string | null,
  ): Promise<void> {
    await this.channels.invalidate(channel);
    this.channels.announceChange(channel);
    this.notify(channel, {
      op: "event",
      channel,
      type: "user_status_changed",
      at: Date.now(),
      data: { username: target.username, status, by: ctx.user.username },
    });
    await this.record(
      ctx,
      channel,
      status === null ? "unrestrict" : status === "restricted" ? "restrict" : "monitor",
      target,
      reason,
      {},
    );
  }

  async modlog(
    ctx: AuthContext,
    channel: string,
    query: {
      before?: number | undefined;
      action?: string | undefined;
      target?: string | undefined;
      limit?: number | undefined;
    },
  ): Promise<ModlogView[]> {
    await this.authorized(ctx, channel, "view_modlog");
    const entries = await this.store.modlog.list({
      channel,
      before: query.before,
      action: query.action,
      target: query.target?.toLowerCase(),
      limit: Math.min(query.limit ?? 50, MODLOG_PAGE_MAX),
    });
    return entries.map(({ id, at, actor, action, target, reason, details }) => ({
      id,
      at,
      actor,
      action,
      target,
      reason,
      details,
    }));
  }

  private async prepare(
    ctx: AuthContext,
    channel: string,
    action: ModAction,
    username: string,
  ): Promise<{ target: UserRecord }> {
    // Whether the actor may take the action at all comes before whether the target exists.
    await this.authorized(ctx, channel, action);
    const target = await this.store.users.byUsername(username.toLowerCase());
    if (!target) throw notFound("user");
    await this.authorized(ctx, channel, action, target);
    return { target };
  }

  /**
   * The permission table's answer on this node's cached roles; before a refusal, on roles read
   * fresh from the store. A role given through another node reaches this one over the bus a
   * few milliseconds later, and a moderator who was just promoted must not be refused in
   * between. Only refusals pay for the read.
   */
  private async authorized(
    ctx: AuthContext,
    channel: string,
    action: ModAction,
    target?: UserRecord,
  ): Promise<ChannelState> {
    const state = await this.channels.state(channel);
    try {
      authorize(state, ctx.user, action, target);
      return state;
    } catch {
      await this.channels.invalidate(channel);
      const fresh = await this.channels.state(channel);
      authorize(fresh, ctx.user, action, target);
      return fresh;
    }
  }

  private async record(
    ctx: AuthContext,
    channel: string,
    action: string,
    target: UserRecord | null,
    reason: string | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    const entry: ModlogEntry = {
      id: randomUUID(),
      channel,
      at: Date.now(),
      actorId: ctx.user.id,
      actor: ctx.user.username,
      action,
      targetId: target?.id ?? null,
      target: target?.username ?? null,
      reason,
      details,
    };
    await this.store.modlog.append(entry);
  }
}

function cleanReason(reason: string | undefined): string | null {
  const r = reason
    ?.normalize("NFC")
    .replace(/\p{Cc}/gu, "")
    .trim();
  if (!r) return null;
  return [...r].slice(0, LIMITS.messageMaxChars).join("");
}

function statusView(s: UserStatusRecord): UserStatus {
  return { username: s.username, status: s.status, reason: s.reason, by: s.by, at: s.at };
}

function toView(s: SanctionRecord): Sanction {
  return { username: s.username, kind: s.kind, until: s.until, reason: s.reason, by: s.by, at: s.at };
}
