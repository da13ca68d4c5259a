/**
 * One consumer's side of a Redis consumer group that spans every channel stream: the
 * persister and the cluster-wide consumers both read this way. Each channel stream carries
 * its own copy of the group (Redis groups are per stream); this class creates them on first
 * sight, reads new entries of many channels in one pipelined round trip, re-reads its own
 * pending entries, claims the entries of consumers that died (XAUTOCLAIM) and acknowledges.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { parseEntry, type StreamEntry } from "./entries.js";
import { ACTIVE_CHANNELS_KEY, channelKeys } from "./keys.js";
import { Script } from "./scripts.js";

/** The channels that ever had an append, re-read at most once per `ttlMs`. */
export class ActiveChannels {
  private cache: { at: number; names: string[] } = { at: 0, names: [] };

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = 1_000,
  ) {}

  async list(): Promise<string[]> {
    if (Date.now() - this.cache.at > this.ttlMs) {
      this.cache = { at: Date.now(), names: await this.redis.smembers(ACTIVE_CHANNELS_KEY) };
    }
    return this.cache.names;
  }
}

export class StreamGroup {
  /** Channels whose stream is known to carry the group. */
  private readonly created = new Set<string>();

  constructor(
    private readonly redis: Redis,
    readonly group: string,
    readonly consumer: string,
    private readonly batch: number,
    private readonly logger: Logger,
  ) {}

  async ensure(channel: string): Promise<void> {
    if (this.created.has(channel)) return;
    try {
      // From the beginning of what the stream still holds: a channel's first entries are
      // written before any reader can have noticed the channel.
      await this.redis.xgroup("CREATE", channelKeys(channel).stream, this.group, "0", "MKSTREAM");
    } catch (error) {
      if (!(error instanceof Error && error.message.includes("BUSYGROUP"))) throw error;
    }
    this.created.add(channel);
  }

  /** Entries no consumer of the group has read yet, of each channel, in one round trip. */
  async readNew(channels: readonly string[]): Promise<Map<string, StreamEntry[]>> {
    const out = new Map<string, StreamEntry[]>();
    if (channels.length === 0) return out;
    for (const channel of channels) await this.ensure(channel);
    const pipeline = this.redis.pipeline();
    for (const channel of channels) pipeline.call("XREADGROUP", ...this.readArgs(channel, ">"));
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, channel] of channels.entries()) {
      const [error, reply] = replies[i] ?? [null, null];
      if (error) {
        if (this.vanished(channel, error)) continue;
        throw error;
      }
      const entries = await this.entriesOf(channel, reply);
      if (entries.length > 0) out.set(channel, entries);
    }
    return out;
  }

  /** This consumer's own unacknowledged entries of the channel, oldest first. */
  async readPending(channel: string): Promise<StreamEntry[]> {
    try {
      return await this.entriesOf(channel, await this.redis.call("XREADGROUP", ...this.readArgs(channel, "0")));
    } catch (error) {
      if (this.vanished(channel, error)) return [];
      throw error;
    }
  }

  /** Takes over entries another consumer read but has not acknowledged for `idleMs`. */
  async claim(channel: string, idleMs: number): Promise<StreamEntry[]> {
    let reply: unknown;
    try {
      reply = await this.redis.call(
        "XAUTOCLAIM",
        channelKeys(channel).stream,
        this.group,
        this.consumer,
        String(idleMs),
        "0-0",
        "COUNT",
        String(this.batch),
      );
    } catch (error) {
      if (this.vanished(channel, error)) return [];
      throw error;
    }
    if (!Array.isArray(reply)) return [];
    // Redis 7 reports pending ids whose entries were trimmed away: lost, say so loudly.
    if (Array.isArray(reply[2]) && reply[2].length > 0) {
      this.logger.error(
        { channel, group: this.group, ids: reply[2] },
        "pending entries vanished from the stream before the group processed them",
      );
    }
    return this.parse(channel, reply[1]);
  }

  async ack(channel: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.redis.xack(channelKeys(channel).stream, this.group, ...seqs.map((s) => `${s}-0`));
  }

  /** XREADGROUP arguments for one stream from `id` (">" = new entries, "0" = our pending ones). */
  private readArgs(channel: string, id: string): string[] {
    return [
      "GROUP",
      this.group,
      this.consumer,
      "COUNT",
      String(this.batch),
      "STREAMS",
      channelKeys(channel).stream,
      id,
    ];
  }

  /** The stream (and its group) vanished — Redis restarted empty: create the group again next time. */
  private vanished(channel: string, error: unknown): boolean {
    if (!(error instanceof Error && error.message.includes("NOGROUP"))) return false;
    this.created.delete(channel);
    return true;
  }

  /** Entries of an XREADGROUP reply for one stream: `[[key, entries]]`. */
  private entriesOf(channel: string, reply: unknown): Promise<StreamEntry[]> {
    if (!Array.isArray(reply) || !Array.isArray(reply[0])) return Promise.resolve([]);
    return this.parse(channel, (reply[0] as unknown[])[1]);
  }

  /**
   * Parses entries; one that cannot be parsed (only the append script writes these streams,
   * so never in practice) is acknowledged at once, or it would stay pending forever and hold
   * back trimming.
   */
  private async parse(channel: string, raw: unknown): Promise<StreamEntry[]> {
    if (!Array.isArray(raw)) return [];
    const out: StreamEntry[] = [];
    const malformed: string[] = [];
    for (const item of raw) {
      const entry = parseEntry(channel, item);
      if (entry) out.push(entry);
      else if (Array.isArray(item) && typeof item[0] === "string") malformed.push(item[0]);
    }
    if (malformed.length > 0) {
      this.logger.error({ channel, group: this.group, ids: malformed }, "skipping malformed stream entries");
      await this.redis.xack(channelKeys(channel).stream, this.group, ...malformed);
    }
    return out;
  }
}

/**
 * The lowest seq some consumer group of the stream still needs — its oldest pending entry or
 * the entry after the last one it read — or -1 when the stream has no group. Trimming below
 * it would take an entry from a group that has not processed it. KEYS: stream.
 */
const TRIM_FLOOR = new Script(`
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return -1 end
local floor = -1
for _, g in ipairs(groups) do
  local name, last
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
  end
  local need = tonumber(string.match(last, '^(%d+)')) + 1
  local pending = redis.call('XPENDING', KEYS[1], name)
  if pending[2] then
    local oldest = tonumber(string.match(pending[2], '^(%d+)'))
    if oldest < need then need = oldest end
  end
  if floor < 0 or need < floor then floor = need end
end
return floor
`);

export async function trimFloor(redis: Redis, channel: string): Promise<number> {
  return Number(await TRIM_FLOOR.run(redis, [channelKeys(channel).stream], []));
}
