/**
 * Presence summed over nodes. Each node reference-counts its own connections in memory (exact,
 * no Redis round trip per join) and publishes a snapshot per channel — viewers and up to
 * `maxListed` signed-in users — into the hash `chorus:{c:<name>}:presence`, field = node id,
 * every `publishMs`. Readers sum the fresh snapshots (older than `staleMs` = a dead node, ignored);
 * the hash expires by itself when every node is gone.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Presence, PresenceCounts, PresenceMember } from "../../ports/presence.js";
import { MemoryPresence } from "../embedded/memory-presence.js";

type Chatter = { username: string; displayName: string; role: string };
interface Snapshot {
  at: number;
  viewers: number;
  chatters: number;
  users: Array<[string, Chatter]>;
}

export interface RedisPresenceOptions {
  nodeId: string;
  /** @default 2,000 */
  publishMs: number;
  /** @default 3 × publishMs */
  staleMs: number;
  /** Users listed per node snapshot. @default 1,000 */
  maxListed: number;
}

const presenceKey = (channel: string) => `chorus:{c:${channel}}:presence`;

export class RedisPresence implements Presence {
  private readonly local = new MemoryPresence();
  private readonly dirty = new Set<string>();
  private readonly cache = new Map<string, { at: number; snapshots: Snapshot[] }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly options: RedisPresenceOptions,
  ) {
    this.timer = setInterval(() => void this.publish(), options.publishMs);
    this.timer.unref();
  }

  async join(channel: string, member: PresenceMember): Promise<{ firstOfMember: boolean }> {
    this.dirty.add(channel);
    this.cache.delete(channel);
    return this.local.join(channel, member);
  }

  async leave(channel: string, memberKey: string): Promise<{ lastOfMember: boolean }> {
    this.dirty.add(channel);
    this.cache.delete(channel);
    return this.local.leave(channel, memberKey);
  }

  async counts(channel: string): Promise<PresenceCounts> {
    const snapshots = await this.snapshots(channel);
    let viewers = 0;
    const users = new Map<string, Chatter>();
    let listedAll = true;
    let chatterSum = 0;
    for (const s of snapshots) {
      viewers += s.viewers;
      chatterSum += s.chatters;
      if (s.users.length < s.chatters) listedAll = false;
      for (const [key, user] of s.users) users.set(key, user);
    }
    // Exact union when every node listed all its users; otherwise the sum (may count a user on two nodes twice).
    return { viewers, chatters: listedAll ? users.size : chatterSum };
  }

  async chatters(channel: string, limit: number): Promise<Chatter[]> {
    const users = new Map<string, Chatter>();
    for (const s of await this.snapshots(channel)) for (const [key, user] of s.users) users.set(key, user);
    return [...users.values()].slice(0, limit);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const channels = [...this.dirty];
    await Promise.all(channels.map((c) => this.redis.hdel(presenceKey(c), this.options.nodeId).catch(() => 0)));
    await this.local.close();
  }

  /** Publishes this node's snapshot of every channel it has (or just had) viewers in. */
  async publish(): Promise<void> {
    const channels = [...this.dirty];
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const channel of channels) {
      const counts = await this.local.counts(channel);
      const listed = await this.local.chatters(channel, this.options.maxListed);
      const snapshot: Snapshot = {
        at: now,
        viewers: counts.viewers,
        chatters: counts.chatters,
        users: listed.map((u) => [u.username, u]),
      };
      if (counts.viewers === 0) {
        pipeline.hdel(presenceKey(channel), this.options.nodeId);
        this.dirty.delete(channel);
      } else {
        pipeline.hset(presenceKey(channel), this.options.nodeId, JSON.stringify(snapshot));
        pipeline.pexpire(presenceKey(channel), this.options.staleMs * 2);
      }
      this.cache.delete(channel);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      this.logger.warn({ err: error }, "presence publish failed");
    }
  }

  private async snapshots(channel: string): Promise<Snapshot[]> {
    const cached = this.cache.get(channel);
    if (cached && Date.now() - cached.at < 1_000) return cached.snapshots;
    const now = Date.now();
    let raw: Record<string, string> = {};
    try {
      raw = await this.redis.hgetall(presenceKey(channel));
    } catch (error) {
      this.logger.warn({ err: error, channel }, "presence read failed; using this node's counts");
    }
    const snapshots: Snapshot[] = [];
    for (const [node, value] of Object.entries(raw)) {
      if (node === this.options.nodeId) continue;
      try {
        const s = JSON.parse(value) as Snapshot;
        if (now - s.at <= this.options.staleMs) snapshots.push(s);
      } catch {
        // A malformed snapshot counts as absent.
      }
    }
    // This node's own numbers are always the live ones, not its last published snapshot.
    const counts = await this.local.counts(channel);
    const listed = await this.local.chatters(channel, this.options.maxListed);
    snapshots.push({
      at: now,
      viewers: counts.viewers,
      chatters: counts.chatters,
      users: listed.map((u) => [u.username, u]),
    });
    this.cache.set(channel, { at: now, snapshots });
    return snapshots;
  }
}
