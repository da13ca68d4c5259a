/**
 * The in-memory state of every channel (record, roles, live broadcast): every message needs
 * it, so it is never read from the store on the hot path. The cache follows the log
 * (channel_updated, stream_started, stream_ended) and the bus (`channel_changed`, see
 * app.ts), so in a cluster every node converges on what any node changed.
 */
import { CHANNEL_NAME_RE, type LoggedEvent } from "@chorus/protocol";
import type { ChannelAccess } from "../chat/permissions.js";
import { notFound } from "../errors.js";
import type { ChannelLog } from "../ports/log.js";
import type { BroadcastRecord, ChannelRecord, SanctionRecord, Store, UserStatusRecord } from "../ports/store.js";

export interface ChannelState extends ChannelAccess {
  broadcast: BroadcastRecord | null;
  /** Standing bans and timeouts by user id, as of the last load (a timeout's `until` still applies). */
  sanctions: Map<string, SanctionRecord>;
  /** Suspicious-user marks (restricted, monitored) by user id. */
  statuses: Map<string, UserStatusRecord>;
}

/** Logged events after which a channel's cached state must be reloaded. */
const CHANGES_STATE: ReadonlySet<string> = new Set([
  "channel_updated",
  "stream_started",
  "stream_ended",
  "user_timed_out",
  "user_banned",
  "user_unbanned",
]);

export class ChannelCache {
  private readonly cache = new Map<string, ChannelState>();
  private readonly changeListeners = new Set<(channel: string) => void>();

  constructor(
    private readonly store: Store,
    log: ChannelLog,
  ) {
    log.onEvents((channel, events) => this.follow(channel, events));
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

  has(name: string): boolean {
    return this.cache.has(name);
  }

  all(): IterableIterator<ChannelState> {
    return this.cache.values();
  }

  async exists(name: string): Promise<boolean> {
    return this.cache.has(name) || (await this.refresh(name)) !== null;
  }

  forget(name: string): void {
    this.cache.delete(name);
  }

  /** Called after this node changed a channel, so other nodes can refresh (see invalidate). */
  onChanged(listener: (channel: string) => void): void {
    this.changeListeners.add(listener);
  }

  changed(name: string): void {
    for (const listener of this.changeListeners) listener(name);
  }

  /**
   * A node changed the channel: reload it (or drop it if it was deleted). Resolves once the
   * cache holds the new state, for work that must see it (audiences after a role change).
   */
  async invalidate(name: string): Promise<void> {
    await this.refresh(name).catch(() => this.cache.delete(name));
  }

  async refresh(name: string): Promise<ChannelState | null> {
    // A name no channel can have is simply not found; it never costs (or reaches) the store.
    if (!CHANNEL_NAME_RE.test(name)) return null;
    const record = await this.store.channels.byName(name);
    if (!record) {
      this.cache.delete(name);
      return null;
    }
    return this.load(record);
  }

  async load(record: ChannelRecord): Promise<ChannelState> {
    const [roles, broadcast, sanctions, statuses] = await Promise.all([
      this.store.channels.roles(record.name),
      record.liveBroadcastId ? this.store.broadcasts.byId(record.liveBroadcastId) : Promise.resolve(null),
      this.store.sanctions.active(record.name, Date.now()),
      this.store.userStatus.list(record.name),
    ]);
    const state: ChannelState = {
      record,
      roles,
      broadcast,
      sanctions: new Map(sanctions.map((s) => [s.userId, s])),
      statuses: new Map(statuses.map((s) => [s.userId, s])),
    };
    this.cache.set(record.name, state);
    return state;
  }

  /** Keeps the cache in step with changes made on other nodes. */
  private follow(channel: string, events: readonly LoggedEvent[]): void {
    if (events.some((e) => CHANGES_STATE.has(e.type))) void this.refresh(channel).catch(() => undefined);
  }
}
