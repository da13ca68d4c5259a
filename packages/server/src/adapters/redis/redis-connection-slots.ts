/**
 * ConnectionSlots over every node. Per key a hash `chorus:{slots}:<key>`, field = node id,
 * value = that node's slots; a sorted set `chorus:{slots}:nodes` holds each node's last
 * heartbeat. `acquire` is one script: it sums the fields of live nodes (dropping those of nodes
 * silent for longer than `staleMs`: they died holding slots) and takes a slot only under `max`.
 * Scripts read the time from Redis, so nodes' clocks need not agree.
 *
 * Each node also keeps its own counts and writes them back every `resyncMs` (a Redis restart
 * or a lost release heals), refreshing the keys' expiry. While Redis is unreachable a connect is
 * allowed: the limit is abuse control, and refusing every viewer during an outage is worse.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ConnectionSlots } from "../../ports/connection-slots.js";
import { Script } from "./scripts.js";

export interface RedisConnectionSlotsOptions {
  nodeId: string;
  /** Heartbeat period. */
  beatMs: number;
  /** A node silent this long is dead and its slots no longer count. */
  staleMs: number;
  /** How often this node writes its counts back. @default 30,000 */
  resyncMs?: number;
}

const NODES_KEY = "chorus:{slots}:nodes";
const slotsKey = (key: string) => `chorus:{slots}:${key}`;
/** Keys outlive several resyncs; a node that stops refreshing them lets them go. */
const KEY_TTL_MS = 10 * 60_000;

const NOW_MS = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: slots, nodes. ARGV: node, max, staleMs, ttlMs. Replies 1 taken, 0 full. */
const ACQUIRE = new Script(`
${NOW_MS}
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  local node = fields[i]
  local n = tonumber(fields[i + 1]) or 0
  if node == ARGV[1] then
    total = total + n
  else
    local beat = redis.call('ZSCORE', KEYS[2], node)
    if beat and tonumber(beat) >= now - tonumber(ARGV[3]) then total = total + n
    else redis.call('HDEL', KEYS[1], node) end
  end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`);

/** KEYS: slots. ARGV: node. */
const RELEASE = new Script(`
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
`);

/** KEYS: nodes. ARGV: node. Also forgets nodes gone for a day. */
const BEAT = new Script(`
${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)
return now
`);

export class RedisConnectionSlots implements ConnectionSlots {
  private readonly local = new Map<string, number>();
  private readonly beatTimer: NodeJS.Timeout;
  private readonly resyncTimer: NodeJS.Timeout;
  private readonly ready: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly options: RedisConnectionSlotsOptions,
  ) {
    this.ready = this.beat();
    this.beatTimer = setInterval(() => void this.beat(), options.beatMs);
    this.beatTimer.unref();
    this.resyncTimer = setInterval(() => void this.resync(), options.resyncMs ?? 30_000);
    this.resyncTimer.unref();
  }

  async acquire(key: string, max: number): Promise<boolean> {
    await this.ready;
    let taken: boolean;
    try {
      taken =
        (await ACQUIRE.run(
          this.redis,
          [slotsKey(key), NODES_KEY],
          [this.options.nodeId, max, this.options.staleMs, KEY_TTL_MS],
        )) === 1;
    } catch (error) {
      this.logger.warn({ err: error }, "connection slots unavailable (Redis); allowing the connection");
      taken = true;
    }
    if (taken) this.local.set(key, (this.local.get(key) ?? 0) + 1);
    return taken;
  }

  async release(key: string): Promise<void> {
    const count = this.local.get(key) ?? 0;
    if (count <= 0) return;
    if (count === 1) this.local.delete(key);
    else this.local.set(key, count - 1);
    try {
      await RELEASE.run(this.redis, [slotsKey(key)], [this.options.nodeId]);
    } catch (error) {
      // The next resync writes the true count.
      this.logger.debug({ err: error }, "connection slot release failed");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.beatTimer);
    clearInterval(this.resyncTimer);
    const keys = [...this.local.keys()];
    this.local.clear();
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hdel(slotsKey(key), this.options.nodeId);
    pipeline.zrem(NODES_KEY, this.options.nodeId);
    await pipeline.exec().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    try {
      await BEAT.run(this.redis, [NODES_KEY], [this.options.nodeId]);
    } catch (error) {
      this.logger.debug({ err: error }, "connection slots heartbeat failed");
    }
  }

  /** Writes this node's counts back (they are the truth for its own field) and refreshes expiry. */
  private async resync(): Promise<void> {
    if (this.local.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [key, count] of this.local) {
      pipeline.hset(slotsKey(key), this.options.nodeId, count);
      pipeline.pexpire(slotsKey(key), KEY_TTL_MS);
    }
    await pipeline
      .exec()
      .catch((error: unknown) => this.logger.debug({ err: error }, "connection slots resync failed"));
  }
}
