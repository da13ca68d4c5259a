/**
 * Channels and broadcasts. Channel state is cached in memory because every message needs
 * it; the cache follows the log (channel_updated, stream_started, stream_ended), so in a
 * cluster every node converges on what any node changed.
 */
import { randomUUID } from "node:crypto";
import {
  type Broadcast,
  CHANNEL_NAME_RE,
  type Channel,
  type ChannelSettings,
  DEFAULT_CHANNEL_SETTINGS,
  LIMITS,
  type LoggedEvent,
  type Role,
} from "@chorus/protocol";
import type { AuthContext } from "../auth/auth-service.js";
import { conflict, forbidden, invalid, notFound } from "../errors.js";
import type { ChannelLog } from "../ports/log.js";
import type { Presence } from "../ports/presence.js";
import type { BroadcastRecord, ChannelRecord, Store } from "../ports/store.js";
import { type ChannelAccess, hasRole } from "./permissions.js";

export interface ChannelState extends ChannelAccess {
  broadcast: BroadcastRecord | null;
}

/** Settings a moderator may change; everything else needs the owner or an admin. */
const CHAT_MODE_KEYS: ReadonlySet<keyof ChannelSettings> = new Set([
  "slowModeSec",
  "followersOnlyMin",
  "subscribersOnly",
  "emoteOnly",
  "uniqueChat",
]);

export interface ChannelPatch {
  title?: string | undefined;
  settings?: Partial<ChannelSettings> | undefined;
}

export class ChannelService {
  private readonly cache = new Map<string, ChannelState>();
  private readonly changeListeners = new Set<(channel: string) => void>();

  constructor(
    private readonly store: Store,
    private readonly log: ChannelLog,
    private readonly presence: Presence,
  ) {
    log.onEvents((channel, events) => this.follow(channel, events));
  }

  /** Loads every channel and creates `main` on a fresh install. */
  async init(): Promise<void> {
    for (const record of await this.store.channels.list()) await this.load(record);
    if (!this.cache.has("main")) {
      const record = newChannelRecord("main", "Main stage", null);
      try {
        await this.store.channels.create(record);
      } catch (error) {
        // Another node created it first.
        if (!(await this.store.channels.byName("main"))) throw error;
      }
      await this.refresh("main");
    }
  }

  /** Called after this node changed a channel, so other nodes can refresh (see invalidate). */
  onChanged(listener: (channel: string) => void): void {
    this.changeListeners.add(listener);
  }

  /**
   * A node changed the channel: reload it (or drop it if it was deleted). Resolves once the
   * cache holds the new state, for work that must see it (audiences after a role change).
   */
  async invalidate(name: string): Promise<void> {
    await this.refresh(name).catch(() => this.cache.delete(name));
  }

  /** Gives a user a role in the channel (`viewer` removes it); every node follows at once. */
  async setRole(name: string, userId: string, role: Role): Promise<void> {
    await this.state(name);
    await this.store.channels.setRole(name, userId, role);
    await this.refresh(name);
    this.changed(name);
  }

  private changed(name: string): void {
    for (const listener of this.changeListeners) listener(name);
  }

  /** The cached state, loading it if another node created the channel. */
  async state(name: string): Promise<ChannelState> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const state = await this.refresh(name);
    if (!state) throw notFound("channel");
    return state;
  }

  peek(name: string): ChannelState | undefined {
    return this.cache.get(name);
  }

  async exists(name: string): Promise<boolean> {
    return this.cache.has(name) || (await this.refresh(name)) !== null;
  }

  async list(): Promise<Channel[]> {
    const channels = await Promise.all([...this.cache.values()].map((s) => this.toPublic(s)));
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
    return this.toPublic(await this.load(record));
  }

  async update(ctx: AuthContext, name: string, patch: ChannelPatch): Promise<Channel> {
    const state = await this.state(name);
    const ownerLevel = hasRole(state, ctx.user, "owner");
    const touchesOwnerFields =
      patch.title !== undefined ||
      Object.keys(patch.settings ?? {}).some((k) => !CHAT_MODE_KEYS.has(k as keyof ChannelSettings));
    if (!ownerLevel && (touchesOwnerFields || !hasRole(state, ctx.user, "moderator"))) {
      throw forbidden(touchesOwnerFields ? "only the owner can change this" : "moderators only");
    }
    const title = patch.title === undefined ? undefined : cleanTitle(patch.title);
    if (patch.title !== undefined && title === undefined)
      throw invalid(`title must be 1–${LIMITS.titleMaxChars} characters`);
    const settings = patch.settings ? normalizeSettings({ ...state.record.settings, ...patch.settings }) : undefined;
    await this.store.channels.update(name, { title, settings });
    const updated = await this.refresh(name);
    if (!updated) throw notFound("channel");
    const channel = await this.toPublic(updated);
    await this.log.append(name, { type: "channel_updated", at: Date.now(), data: { channel } });
    this.changed(name);
    return channel;
  }

  async remove(ctx: AuthContext, name: string): Promise<void> {
    const state = await this.state(name);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the owner can delete the channel");
    if (name === "main") throw forbidden("the main channel cannot be deleted");
    await this.log.drain(name);
    await this.store.channels.delete(name);
    this.cache.delete(name);
    this.log.forget(name);
    this.changed(name);
  }

  async goLive(
    ctx: AuthContext,
    name: string,
    input: { title?: string | undefined; videoUrl?: string | null | undefined },
  ): Promise<{ broadcast: Broadcast; started: boolean }> {
    const state = await this.state(name);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the owner can go live");
    const title = input.title === undefined ? undefined : cleanTitle(input.title);
    if (input.title !== undefined && title === undefined)
      throw invalid(`title must be 1–${LIMITS.titleMaxChars} characters`);
    const videoUrl = input.videoUrl === undefined ? undefined : checkVideoUrl(input.videoUrl);
    if (state.broadcast) {
      // Already live: update the running broadcast (API.md: "start or update its broadcast").
      await this.store.broadcasts.update(state.broadcast.id, { title, videoUrl });
      await this.store.channels.update(name, { title, videoUrl });
      const updated = await this.refresh(name);
      if (!updated?.broadcast) throw conflict("the broadcast ended meanwhile");
      await this.log.append(name, {
        type: "channel_updated",
        at: Date.now(),
        data: { channel: await this.toPublic(updated) },
      });
      return { broadcast: toBroadcast(updated.broadcast), started: false };
    }
    const broadcast: BroadcastRecord = {
      id: randomUUID(),
      channel: name,
      title: title ?? state.record.title,
      videoUrl: videoUrl === undefined ? state.record.videoUrl : videoUrl,
      startedAt: Date.now(),
      endedAt: null,
      messageCount: 0,
    };
    await this.store.broadcasts.create(broadcast);
    await this.store.channels.update(name, {
      liveBroadcastId: broadcast.id,
      title: broadcast.title,
      videoUrl: broadcast.videoUrl ?? null,
    });
    await this.refresh(name);
    const event = toBroadcast(broadcast);
    await this.log.append(name, { type: "stream_started", at: broadcast.startedAt, data: { broadcast: event } });
    this.changed(name);
    return { broadcast: event, started: true };
  }

  async endLive(ctx: AuthContext, name: string): Promise<Broadcast> {
    const state = await this.state(name);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the owner can end the stream");
    if (!state.broadcast) throw conflict("the channel is not live");
    const endedAt = Date.now();
    // Make every message of the broadcast durable before it is archived and counted.
    await this.log.drain(name);
    await this.store.broadcasts.update(state.broadcast.id, { endedAt });
    await this.store.channels.update(name, { liveBroadcastId: null });
    const ended = await this.store.broadcasts.byId(state.broadcast.id);
    await this.refresh(name);
    if (!ended) throw notFound("broadcast");
    const broadcast = toBroadcast(ended);
    await this.log.append(name, { type: "stream_ended", at: endedAt, data: { broadcast } });
    this.changed(name);
    return broadcast;
  }

  async broadcasts(name: string): Promise<Broadcast[]> {
    await this.state(name);
    return (await this.store.broadcasts.list(name, 100)).map(toBroadcast);
  }

  async broadcast(name: string, id: string): Promise<Broadcast> {
    if (!CHANNEL_NAME_RE.test(name)) throw notFound("broadcast");
    const found = await this.store.broadcasts.byId(id);
    if (!found || found.channel !== name) throw notFound("broadcast");
    return toBroadcast(found);
  }

  async toPublic(state: ChannelState): Promise<Channel> {
    const { viewers } = await this.presence.counts(state.record.name);
    const channel: Channel = {
      name: state.record.name,
      title: state.record.title,
      ownerId: state.record.ownerId,
      live: state.broadcast !== null,
      videoUrl: state.record.videoUrl,
      viewers,
      settings: state.record.settings,
      createdAt: state.record.createdAt,
    };
    if (state.broadcast) channel.broadcast = toBroadcast(state.broadcast);
    return channel;
  }

  private async refresh(name: string): Promise<ChannelState | null> {
    // A name no channel can have is simply not found; it never costs (or reaches) the store.
    if (!CHANNEL_NAME_RE.test(name)) return null;
    const record = await this.store.channels.byName(name);
    if (!record) {
      this.cache.delete(name);
      return null;
    }
    return this.load(record);
  }

  private async load(record: ChannelRecord): Promise<ChannelState> {
    const [roles, broadcast] = await Promise.all([
      this.store.channels.roles(record.name),
      record.liveBroadcastId ? this.store.broadcasts.byId(record.liveBroadcastId) : Promise.resolve(null),
    ]);
    const state: ChannelState = { record, roles, broadcast };
    this.cache.set(record.name, state);
    return state;
  }

  /** Keeps the cache in step with changes made on other nodes. */
  private follow(channel: string, events: readonly LoggedEvent[]): void {
    if (events.some((e) => e.type === "channel_updated" || e.type === "stream_started" || e.type === "stream_ended")) {
      void this.refresh(channel).catch(() => undefined);
    }
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

function toBroadcast(b: BroadcastRecord): Broadcast {
  return {
    id: b.id,
    title: b.title,
    startedAt: b.startedAt,
    endedAt: b.endedAt,
    messageCount: b.messageCount,
    videoUrl: b.videoUrl ?? null,
  };
}

function cleanTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const t = title
    .normalize("NFC")
    .replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, "")
    .trim();
  return t.length === 0 || [...t].length > LIMITS.titleMaxChars ? undefined : t;
}

/** Only http(s) URLs: a YouTube page/embed or an HLS playlist. */
function checkVideoUrl(raw: string | null): string | null {
  if (raw === null || raw === "") return null;
  if (raw.length > 2048) throw invalid("videoUrl is too long");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("videoUrl must be a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid("videoUrl must be http(s)");
  return url.toString();
}

function normalizeSettings(s: ChannelSettings): ChannelSettings {
  const terms = [...new Set(s.blockedTerms.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
  return { ...s, blockedTerms: terms };
}
