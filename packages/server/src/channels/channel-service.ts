/**
 * Channels: create, read, update, delete, roles and chat settings. Their state lives in the
 * ChannelCache (every message needs it); broadcasts are broadcasts.ts.
 */
import {
  CHANNEL_NAME_RE,
  type Channel,
  type ChannelSettings,
  DEFAULT_CHANNEL_SETTINGS,
  LIMITS,
  MODERATOR_SETTINGS,
  type Role,
} from "@chorus/protocol";
import type { AuthContext } from "../auth/auth-service.js";
import { hasRole } from "../chat/permissions.js";
import { conflict, forbidden, invalid, notFound } from "../errors.js";
import type { ChannelLog } from "../ports/log.js";
import type { Presence } from "../ports/presence.js";
import type { ChannelRecord, SanctionRecord, Store } from "../ports/store.js";
import type { ChannelCache, ChannelState } from "./channel-cache.js";
import { cleanTitle, normalizeSettings, type SettingsInput } from "./fields.js";
import { toPublicChannel } from "./public-view.js";
import { applyShield } from "./shield.js";

export type { ChannelState };

/** Settings a moderator may change; everything else needs the owner or an admin. */

export interface ChannelPatch {
  title?: string | undefined;
  settings?: Partial<SettingsInput> | undefined;
}

export type SanctionPublisher = (channel: string, userId: string, sanction: SanctionRecord | null) => Promise<void>;

export class ChannelService {
  constructor(
    private readonly store: Store,
    private readonly log: ChannelLog,
    private readonly presence: Presence,
    private readonly cache: ChannelCache,
  ) {}

  /** Loads every channel and creates `main` on a fresh install. */
  async init(): Promise<void> {
    for (const record of await this.store.channels.list()) await this.cache.load(record);
    if (!this.cache.has("main")) {
      const record = newChannelRecord("main", "Main stage", null);
      try {
        await this.store.channels.create(record);
      } catch (error) {
        // Another node created it first.
        if (!(await this.store.channels.byName("main"))) throw error;
      }
      await this.cache.refresh("main");
    }
  }

  onChanged(listener: (channel: string) => void): void {
    this.cache.onChanged(listener);
  }

  /** Follows the channel (keeping the first follow time: followers-only mode counts from it). */
  async follow(ctx: AuthContext, name: string): Promise<{ following: true; since: number }> {
    await this.cache.state(name);
    if (ctx.user.isGuest) throw forbidden("guests cannot follow channels: sign up first");
    await this.store.follows.follow(name, ctx.user.id, Date.now());
    return { following: true, since: (await this.store.follows.since(name, ctx.user.id)) ?? Date.now() };
  }

  async unfollow(ctx: AuthContext, name: string): Promise<void> {
    await this.cache.state(name);
    await this.store.follows.unfollow(name, ctx.user.id);
  }

  /** Tells the other nodes (through the bus) that this node changed the channel. */
  announceChange(name: string): void {
    this.cache.changed(name);
  }

  invalidate(name: string): Promise<void> {
    return this.cache.invalidate(name);
  }

  private readonly sanctionPublishers = new Set<SanctionPublisher>();

  /** Who carries a sanction to the other nodes (the bus); `announceSanction` waits for them. */
  onSanctionChanged(publisher: SanctionPublisher): void {
    this.sanctionPublishers.add(publisher);
  }

  /**
   * Hands a ban, timeout (or its lifting: null) to every node before the action answers, with
   * the sanction itself: a node applies it to its cached state on receipt, without first
   * reading the store, so it holds there before the moderator's client can even send the next
   * request (a reload took tens of milliseconds on a loaded node, and a send slipped through).
   */
  async announceSanction(name: string, userId: string, sanction: SanctionRecord | null): Promise<void> {
    await Promise.all([...this.sanctionPublishers].map((publish) => publish(name, userId, sanction)));
  }

  /** A sanction from another node (or this one), onto the cached state at once. */
  applySanction(name: string, userId: string, sanction: SanctionRecord | null): void {
    const state = this.cache.peek(name);
    if (!state) return;
    if (sanction) state.sanctions.set(userId, sanction);
    else state.sanctions.delete(userId);
  }

  /** Gives a user a role in the channel (`viewer` removes it); every node follows at once. */
  async setRole(name: string, userId: string, role: Role): Promise<void> {
    await this.cache.state(name);
    await this.store.channels.setRole(name, userId, role);
    await this.cache.refresh(name);
    this.cache.changed(name);
  }

  state(name: string): Promise<ChannelState> {
    return this.cache.state(name);
  }

  peek(name: string): ChannelState | undefined {
    return this.cache.peek(name);
  }

  exists(name: string): Promise<boolean> {
    return this.cache.exists(name);
  }

  async list(): Promise<Channel[]> {
    const channels = await Promise.all([...this.cache.all()].map((s) => this.toPublic(s)));
    return channels.sort(
      (a, b) => Number(b.live) - Number(a.live) || b.viewers - a.viewers || a.name.localeCompare(b.name),
    );
  }

  async get(name: string): Promise<Channel> {
    return this.toPublic(await this.state(name));
  }

  async create(ctx: AuthContext, rawName: unknown, title: string | undefined): Promise<Channel> {
    if (ctx.user.isGuest) throw forbidden("guests cannot create channels");
    if (typeof rawName !== "string") throw invalid("name is required");
    const name = rawName.trim().toLowerCase();
    if (!CHANNEL_NAME_RE.test(name)) throw invalid("name must be 3–25 characters of a–z, 0–9 and _");
    if (await this.exists(name)) throw conflict("channel name is taken");
    const record = newChannelRecord(name, cleanTitle(title) ?? `${ctx.user.displayName}'s channel`, ctx.user.id);
    try {
      await this.store.channels.create(record);
    } catch (error) {
      if (await this.store.channels.byName(name)) throw conflict("channel name is taken");
      throw error;
    }
    return this.toPublic(await this.cache.load(record));
  }

  async update(ctx: AuthContext, name: string, patch: ChannelPatch): Promise<Channel> {
    const state = await this.state(name);
    const ownerLevel = hasRole(state, ctx.user, "owner");
    const touchesOwnerFields =
      patch.title !== undefined ||
      Object.keys(patch.settings ?? {}).some((k) => !MODERATOR_SETTINGS.has(k as keyof ChannelSettings));
    if (!ownerLevel && (touchesOwnerFields || !hasRole(state, ctx.user, "moderator"))) {
      throw forbidden(touchesOwnerFields ? "only the owner can change this" : "moderators only");
    }
    const title = patch.title === undefined ? undefined : cleanTitle(patch.title);
    if (patch.title !== undefined && title === undefined)
      throw invalid(`title must be 1–${LIMITS.titleMaxChars} characters`);
    const settings = patch.settings
      ? applyShield(state.record.settings, {
          ...state.record.settings,
          ...normalizeSettings({ ...state.record.settings, ...patch.settings }),
        })
      : undefined;
    await this.store.channels.update(name, { title, settings });
    const updated = await this.cache.refresh(name);
    if (!updated) throw notFound("channel");
    const channel = await this.toPublic(updated);
    await this.log.append(name, { type: "channel_updated", at: Date.now(), data: { channel } });
    this.cache.changed(name);
    return channel;
  }

  async remove(ctx: AuthContext, name: string): Promise<void> {
    const state = await this.state(name);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the owner can delete the channel");
    if (name === "main") throw forbidden("the main channel cannot be deleted");
    await this.log.drain(name);
    await this.store.channels.delete(name);
    this.cache.forget(name);
    this.log.forget(name);
    this.cache.changed(name);
  }

  toPublic(state: ChannelState): Promise<Channel> {
    return toPublicChannel(state, this.presence);
  }
}

function newChannelRecord(name: string, title: string, ownerId: string | null): ChannelRecord {
  return {
    name,
    title,
    ownerId,
    settings: { ...DEFAULT_CHANNEL_SETTINGS },
    videoUrl: null,
    liveBroadcastId: null,
    createdAt: Date.now(),
  };
}
