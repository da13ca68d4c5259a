/**
 * Cluster-wide consumers in one process: the embedded log is the whole cluster, so a group
 * hears every channel through `log.onEvents` — as the log's listeners do, once an event is
 * committed, while its disk sync may still run. A group starts existing at its first
 * `consume` and hears only what is committed from then on: earlier events are not delivered,
 * and neither is anything after a restart that was not handled before it (the group lives in
 * memory). While a group has no member, or its members fall behind, its events queue up, up
 * to `maxBacklog` events per group; beyond that the channel being appended to loses its
 * oldest waiting delivery, with a warning (the embedded counterpart of a stream reaching its
 * MAXLEN cap).
 *
 * Deliveries are handed out per channel, one in flight per channel and per member, so a
 * channel's events are handled in seq order even across the members of a group; a rejected
 * delivery stays at the head of its channel and is retried after a growing pause.
 */
import type { Logger } from "pino";
import type { ConsumerMember, Consumers, Delivery, DeliveryHandler } from "../../ports/consumer.js";
import type { ChannelLog } from "../../ports/log.js";

export interface EmbeddedConsumerOptions {
  /** Pause before the first redelivery; doubles per attempt. @default 100 ms */
  retryMs: number;
  /** Longest pause between redeliveries. @default 5,000 ms */
  maxRetryMs: number;
  /** Events most a group keeps waiting. @default 100,000 */
  maxBacklog: number;
  /** Events most in one delivery. @default 500 */
  batch: number;
}

interface Queued {
  channel: string;
  events: Delivery["events"][number][];
  attempt: number;
}

class Member implements ConsumerMember {
  busy: Promise<void> | null = null;
  stopped = false;

  constructor(
    readonly group: string,
    readonly handler: DeliveryHandler,
    private readonly leave: (member: Member) => void,
  ) {}

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.leave(this);
    }
    await this.busy;
  }
}

class Group {
  readonly members: Member[] = [];
  /** Per channel, deliveries in seq order; the head may be in flight. */
  private readonly queues = new Map<string, Queued[]>();
  private readonly inFlight = new Set<string>();
  /** Channels waiting out a retry pause. */
  private readonly pausedUntil = new Map<string, number>();
  private backlog = 0;
  private next = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly options: EmbeddedConsumerOptions,
    private readonly logger: Logger | null,
  ) {}

  push(channel: string, events: readonly Delivery["events"][number][]): void {
    let queue = this.queues.get(channel);
    if (!queue) {
      queue = [];
      this.queues.set(channel, queue);
    }
    const tail = queue.at(-1);
    // Coalesce into a waiting first delivery, so a busy channel is handed over in batches.
    const canJoin = tail && tail.attempt === 1 && !(queue.length === 1 && this.inFlight.has(channel));
    if (tail && canJoin && tail.events.length + events.length <= this.options.batch) tail.events.push(...events);
    else queue.push({ channel, events: [...events], attempt: 1 });
    this.backlog += events.length;
    if (this.backlog > this.options.maxBacklog) this.shed(queue, channel);
    this.pump();
  }

  pump(): void {
    if (this.members.length === 0) return;
    const now = Date.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const [channel, queue] of this.queues) {
      if (this.inFlight.has(channel)) continue;
      const head = queue[0];
      if (!head) continue;
      const until = this.pausedUntil.get(channel) ?? 0;
      if (until > now) {
        soonest = Math.min(soonest, until);
        continue;
      }
      const member = this.idleMember();
      if (!member) return;
      this.run(member, head);
    }
    if (soonest !== Number.POSITIVE_INFINITY && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, soonest - now);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private idleMember(): Member | null {
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[(this.next + i) % this.members.length];
      if (member && !member.busy && !member.stopped) {
        this.next = (this.next + i + 1) % this.members.length;
        return member;
      }
    }
    return null;
  }

  private run(member: Member, item: Queued): void {
    this.inFlight.add(item.channel);
    const delivery: Delivery = { channel: item.channel, events: item.events, attempt: item.attempt };
    member.busy = (async () => {
      let ok = false;
      try {
        await member.handler(delivery);
        ok = true;
      } catch (error) {
        this.logger?.warn(
          { err: error, group: this.name, channel: item.channel },
          "consumer handler failed; will retry",
        );
      }
      const queue = this.queues.get(item.channel);
      this.inFlight.delete(item.channel);
      if (ok) {
        if (queue?.[0] === item) queue.shift();
        this.backlog -= item.events.length;
        this.pausedUntil.delete(item.channel);
        if (queue?.length === 0) this.queues.delete(item.channel);
      } else {
        const pause = Math.min(this.options.maxRetryMs, this.options.retryMs * 2 ** (item.attempt - 1));
        item.attempt++;
        this.pausedUntil.set(item.channel, Date.now() + pause);
      }
    })().finally(() => {
      member.busy = null;
      this.pump();
    });
  }

  /** Drops the oldest waiting delivery of the channel that overflowed the backlog. */
  private shed(queue: Queued[], channel: string): void {
    const index = this.inFlight.has(channel) ? 1 : 0;
    const dropped = queue.length > index + 1 ? queue.splice(index, 1)[0] : undefined;
    if (!dropped) return;
    this.backlog -= dropped.events.length;
    this.logger?.warn(
      { group: this.name, channel, events: dropped.events.length, backlog: this.options.maxBacklog },
      "consumer group backlog full: dropping its oldest undelivered events",
    );
  }
}

export class EmbeddedConsumers implements Consumers {
  private readonly groups = new Map<string, Group>();
  private readonly unsubscribe: () => void;
  private readonly options: EmbeddedConsumerOptions;

  constructor(
    log: ChannelLog,
    private readonly logger: Logger | null = null,
    options: Partial<EmbeddedConsumerOptions> = {},
  ) {
    this.options = { retryMs: 100, maxRetryMs: 5_000, maxBacklog: 100_000, batch: 500, ...options };
    this.unsubscribe = log.onEvents((channel, events) => {
      for (const group of this.groups.values()) group.push(channel, events);
    });
  }

  consume(group: string, handler: DeliveryHandler): ConsumerMember {
    let g = this.groups.get(group);
    if (!g) {
      g = new Group(group, this.options, this.logger);
      this.groups.set(group, g);
    }
    const owner = g;
    const member = new Member(group, handler, (m) => {
      const i = owner.members.indexOf(m);
      if (i >= 0) owner.members.splice(i, 1);
    });
    owner.members.push(member);
    owner.pump();
    return member;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    const members = [...this.groups.values()].flatMap((g) => g.members);
    for (const g of this.groups.values()) g.stop();
    await Promise.all(members.map((m) => m.stop()));
  }
}
