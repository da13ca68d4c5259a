/**
 * Cluster-wide consumers on Redis Streams: a Consumer group is a Redis consumer group of that
 * name on every channel stream (found through the active-channel set, as the persister finds
 * them; see stream-group.ts). Each member polls: first its own pending entries of channels
 * whose last delivery failed (after a growing pause, and before any newer entry of that
 * channel), then new entries of every channel, and now and then the entries a dead member
 * left pending for `claimIdleMs`. A delivery is acknowledged (XACK) when the handler resolves.
 *
 * "Events from when the group first existed": the first member records its join time in a
 * key; each channel's group is created at the start of its stream (a new channel's first
 * entries predate anyone noticing the channel), and entries appended before that time are
 * acknowledged without being delivered.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ConsumerMember, Consumers, Delivery, DeliveryHandler } from "../../ports/consumer.js";
import type { StreamEntry } from "./entries.js";
import { consumerGroupKeys } from "./keys.js";
import { ActiveChannels, StreamGroup } from "./stream-group.js";

export interface RedisConsumerOptions {
  /** Prefix of this node's member names (unique in the cluster: the node id). */
  nodeId: string;
  /** Entries read per channel per round. @default 500 */
  batch: number;
  /** Pause after a round that found nothing. @default 50 ms */
  idleMs: number;
  /** Pending entries idle this long belong to a dead member and are claimed. @default 15,000 ms */
  claimIdleMs: number;
  /** Pause before the first redelivery; doubles per attempt. @default 100 ms */
  retryMs: number;
  /** Longest pause between redeliveries. @default 5,000 ms */
  maxRetryMs: number;
}

class RedisMember implements ConsumerMember {
  private running = true;
  private readonly loop: Promise<void>;
  private readonly stream: StreamGroup;
  private since: number | null = null;
  /** Channels with entries this member holds unacknowledged: attempt so far, next try. */
  private readonly retry = new Map<string, { attempt: number; at: number }>();
  private lastClaim = Date.now();
  private wake: (() => void) | null = null;
  private readonly joinedAt = Date.now();

  constructor(
    readonly group: string,
    consumer: string,
    private readonly handler: DeliveryHandler,
    private readonly redis: Redis,
    private readonly channels: ActiveChannels,
    private readonly logger: Logger,
    private readonly options: RedisConsumerOptions,
  ) {
    this.stream = new StreamGroup(redis, consumerGroupKeys(group).group, consumer, options.batch, logger);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const delivered = await this.round();
        failures = 0;
        if (!delivered) await this.pause(this.options.idleMs);
      } catch (error) {
        failures++;
        if (failures === 1) this.logger.warn({ err: error, group: this.group }, "consumer round failed; retrying");
        await this.pause(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2));
      }
    }
  }

  /** One pass over every channel; true when something was handed to the handler. */
  private async round(): Promise<boolean> {
    this.since ??= await this.groupStart();
    const channels = await this.channels.list();
    let delivered = false;
    const now = Date.now();
    for (const [channel, state] of [...this.retry]) {
      if (!this.running) return delivered;
      if (state.at > now) continue;
      const entries = await this.stream.readPending(channel);
      if (entries.length === 0) this.retry.delete(channel);
      else delivered = (await this.deliver(channel, entries, state.attempt + 1)) || delivered;
    }
    // A channel with a failed delivery gets nothing newer until that one went through.
    const fresh = channels.filter((c) => !this.retry.has(c));
    for (const [channel, entries] of await this.stream.readNew(fresh)) {
      if (!this.running) break;
      delivered = (await this.deliver(channel, entries, 1)) || delivered;
    }
    if (Date.now() - this.lastClaim >= this.options.claimIdleMs / 2) {
      this.lastClaim = Date.now();
      for (const channel of channels) {
        if (!this.running) break;
        const entries = await this.stream.claim(channel, this.options.claimIdleMs);
        if (entries.length === 0) continue;
        this.logger.info({ group: this.group, channel, entries: entries.length }, "claimed entries of a dead consumer");
        // Handled before, by the dead member (at least it read them).
        delivered = (await this.deliver(channel, entries, 2)) || delivered;
      }
    }
    return delivered;
  }

  private async deliver(channel: string, entries: StreamEntry[], attempt: number): Promise<boolean> {
    const since = this.since ?? 0;
    const events: Delivery["events"][number][] = [];
    for (const e of entries) if (e.event.at >= since) events.push(e.event);
    if (events.length > 0) {
      try {
        await this.handler({ channel, events, attempt });
      } catch (error) {
        const pause = Math.min(this.options.maxRetryMs, this.options.retryMs * 2 ** (attempt - 1));
        this.retry.set(channel, { attempt, at: Date.now() + pause });
        this.logger.warn({ err: error, group: this.group, channel, attempt }, "consumer handler failed; will retry");
        return true;
      }
    }
    await this.stream.ack(
      channel,
      entries.map((e) => e.seq),
    );
    const state = this.retry.get(channel);
    if (state) state.attempt = 0;
    return events.length > 0;
  }

  /**
   * When the group first existed: the first member's join time. Events carry their appending
   * node's clock, so this is as exact as the nodes' clocks agree.
   */
  private async groupStart(): Promise<number> {
    const key = consumerGroupKeys(this.group).since;
    await this.redis.set(key, String(this.joinedAt), "NX");
    return Number((await this.redis.get(key)) ?? this.joinedAt);
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = null;
    });
  }
}

export class RedisConsumers implements Consumers {
  private readonly members = new Set<RedisMember>();
  private readonly channels: ActiveChannels;
  private readonly options: RedisConsumerOptions;
  private count = 0;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    options: Partial<RedisConsumerOptions> & { nodeId: string },
  ) {
    this.options = { batch: 500, idleMs: 50, claimIdleMs: 15_000, retryMs: 100, maxRetryMs: 5_000, ...options };
    this.channels = new ActiveChannels(redis);
  }

  consume(group: string, handler: DeliveryHandler): ConsumerMember {
    const name = `${this.options.nodeId}#${++this.count}`;
    const member = new RedisMember(group, name, handler, this.redis, this.channels, this.logger, this.options);
    this.members.add(member);
    const stop = member.stop.bind(member);
    return {
      group,
      stop: async () => {
        this.members.delete(member);
        await stop();
      },
    };
  }

  async close(): Promise<void> {
    const members = [...this.members];
    this.members.clear();
    await Promise.all(members.map((m) => m.stop()));
  }
}
