/**
 * This node's fan-out. Events published during a turn of the event loop are collected per
 * channel; at the flush tick each channel's batch is encoded once and handed to each of its
 * subscribers, and then every touched connection writes one frame (docs/architecture.md,
 * invariants 3 and 4). Each channel has two audiences, encoded once each. The hub never awaits a socket: a connection that cannot keep up is the
 * connection's problem (bounded queue, close 4008), never the hub's.
 */
import type { ChannelEvent } from "@chorus/protocol";
import type { Metrics } from "../metrics.js";
import type { UserRecord } from "../ports/store.js";
import { ChatDelay } from "./chat-delay.js";
import { uncorkAll } from "./cork.js";
import { EncodedBatch, type EncodedEvent, encodeEvent } from "./encoded.js";

/**
 * Who may see an event. `everyone` is every subscriber of the channel; `moderators` are its
 * moderators, owner and admins (held messages, flags on first-time chatters). Moderator-only
 * events carry no seq: a viewer's seqs stay contiguous, and what moderators must find again
 * after a reconnect lives in the store (the held queue), not in the log.
 */
export type Audience = "everyone" | "moderators";

export interface Subscriber {
  /** The signed-in user behind the subscription (null for anonymous), to work out its audience. */
  readonly user: UserRecord | null;
  /** Queue the batch; called during the flush, must not write to the network. */
  deliver(batch: EncodedBatch): void;
  /** Called once per tick after every delivery: write what was queued; returns frames written. */
  flush(): number;
}

interface ChannelFanout {
  name: string;
  everyone: Set<Subscriber>;
  moderators: Set<Subscriber>;
  pending: EncodedEvent[];
  /** The pending events only moderators may see; null (the common case) when there are none. */
  restricted: Set<EncodedEvent> | null;
  /** Pending events moderators already had (released by the chat delay); null when none. */
  late: Set<EncodedEvent> | null;
  /** The channel's chat delay, created the first time it has one. */
  delay: ChatDelay | null;
}

export interface HubOptions {
  /** 0 = flush as soon as the current callback is done; otherwise every N ms. @default 0 */
  flushIntervalMs: number;
  /** A channel's chat delay in ms (its `chatDelaySec` setting); none when absent. */
  delayOf?: (channel: string) => number;
}

export class Hub {
  private readonly channels = new Map<string, ChannelFanout>();
  private readonly dirty = new Set<ChannelFanout>();
  private scheduled = false;

  constructor(
    private readonly metrics: Metrics,
    private readonly options: HubOptions,
  ) {}

  subscribe(channel: string, subscriber: Subscriber, audience: Audience = "everyone"): void {
    let fanout = this.channels.get(channel);
    if (!fanout) {
      fanout = {
        name: channel,
        everyone: new Set(),
        moderators: new Set(),
        pending: [],
        restricted: null,
        late: null,
        delay: null,
      };
      this.channels.set(channel, fanout);
    }
    (audience === "moderators" ? fanout.moderators : fanout.everyone).add(subscriber);
  }

  /** Moves a subscriber to another audience (its role changed); from the next flush on. */
  setAudience(channel: string, subscriber: Subscriber, audience: Audience): void {
    const fanout = this.channels.get(channel);
    if (!fanout || !(fanout.everyone.has(subscriber) || fanout.moderators.has(subscriber))) return;
    fanout.everyone.delete(subscriber);
    fanout.moderators.delete(subscriber);
    (audience === "moderators" ? fanout.moderators : fanout.everyone).add(subscriber);
  }

  audienceOf(channel: string, subscriber: Subscriber): Audience | null {
    const fanout = this.channels.get(channel);
    if (fanout?.moderators.has(subscriber)) return "moderators";
    return fanout?.everyone.has(subscriber) ? "everyone" : null;
  }

  unsubscribe(channel: string, subscriber: Subscriber): void {
    const fanout = this.channels.get(channel);
    if (!fanout) return;
    fanout.everyone.delete(subscriber);
    fanout.moderators.delete(subscriber);
    if (fanout.everyone.size === 0) fanout.delay?.clear();
    if (size(fanout) === 0 && fanout.pending.length === 0) this.channels.delete(channel);
  }

  subscriberCount(channel: string): number {
    const fanout = this.channels.get(channel);
    return fanout ? size(fanout) : 0;
  }

  /** This node's subscribers of a channel, whatever their audience. */
  subscribers(channel: string): Subscriber[] {
    const fanout = this.channels.get(channel);
    return fanout ? [...fanout.everyone, ...fanout.moderators] : [];
  }

  /** Channels with at least one local subscriber. */
  activeChannels(): string[] {
    return [...this.channels.keys()];
  }

  publish(channel: string, events: readonly ChannelEvent[], audience: Audience = "everyone"): void {
    const fanout = this.channels.get(channel);
    if (!fanout) return;
    if (audience === "moderators") {
      if (fanout.moderators.size === 0) return;
      fanout.restricted ??= new Set();
      for (const event of events) {
        const encoded = encodeEvent(event);
        fanout.pending.push(encoded);
        fanout.restricted.add(encoded);
      }
    } else {
      if (size(fanout) === 0) return;
      const delayMs = this.options.delayOf?.(channel) ?? 0;
      if ((delayMs > 0 || (fanout.delay?.pending ?? 0) > 0) && fanout.everyone.size > 0) {
        this.publishDelayed(fanout, events, delayMs);
        return;
      }
      for (const event of events) fanout.pending.push(encodeEvent(event));
    }
    this.dirty.add(fanout);
    this.schedule();
  }

  /**
   * Under chat delay moderators get logged events now and everyone else when the delay has
   * passed (chat-delay.ts); ephemeral events (presence, counts) are not held back.
   */
  private publishDelayed(fanout: ChannelFanout, events: readonly ChannelEvent[], delayMs: number): void {
    const logged = events.filter((e) => "seq" in e);
    for (const event of events) {
      if ("seq" in event && fanout.moderators.size === 0) continue;
      const encoded = encodeEvent(event);
      fanout.pending.push(encoded);
      if ("seq" in event) {
        fanout.restricted ??= new Set();
        fanout.restricted.add(encoded);
      }
    }
    fanout.delay ??= new ChatDelay((released) => {
      if (fanout.everyone.size === 0) return;
      fanout.late ??= new Set();
      for (const event of released) {
        const encoded = encodeEvent(event);
        fanout.pending.push(encoded);
        fanout.late.add(encoded);
      }
      // A fanout dropped while its events waited is no longer in the map: put it back.
      if (this.channels.get(fanout.name) !== fanout) this.channels.set(fanout.name, fanout);
      this.dirty.add(fanout);
      this.schedule();
    });
    if (logged.length > 0) fanout.delay.add(logged, delayMs);
    if (fanout.pending.length > 0) {
      this.dirty.add(fanout);
      this.schedule();
    }
  }

  /** Flushes everything pending now (used at shutdown and by the tick). */
  flush(): void {
    this.scheduled = false;
    if (this.dirty.size === 0) return;
    const stop = this.metrics.flushDuration.startTimer();
    let deliveries = 0;
    let frames = 0;
    // A connection subscribed to several dirty channels must still get one frame, so with
    // more than one channel the writes wait until every batch is delivered. The common tick —
    // one busy channel — writes as it goes and keeps no set of thousands of subscribers.
    const touched = this.dirty.size > 1 ? new Set<Subscriber>() : null;
    for (const fanout of this.dirty) {
      // Encoded once per audience: both batches are the same object unless moderator-only
      // events (or, under chat delay, events moderators already had) must be left out.
      const all = new EncodedBatch(fanout.name, fanout.pending);
      const { restricted, late } = fanout;
      const forEveryone = restricted
        ? new EncodedBatch(
            fanout.name,
            all.events.filter((e) => !restricted.has(e)),
          )
        : all;
      const forModerators = late
        ? new EncodedBatch(
            fanout.name,
            all.events.filter((e) => !late.has(e)),
          )
        : all;
      fanout.pending = [];
      fanout.restricted = null;
      fanout.late = null;
      for (const [subscribers, batch] of [
        [fanout.everyone, forEveryone],
        [fanout.moderators, forModerators],
      ] as const) {
        if (batch.events.length === 0) continue;
        for (const subscriber of subscribers) {
          subscriber.deliver(batch);
          if (touched) touched.add(subscriber);
          else frames += subscriber.flush();
        }
        deliveries += batch.events.length * subscribers.size;
      }
      if (size(fanout) === 0) this.channels.delete(fanout.name);
    }
    if (touched) for (const subscriber of touched) frames += subscriber.flush();
    this.dirty.clear();
    uncorkAll(); // the writes themselves, inside the measured flush
    this.metrics.eventsDelivered.inc(deliveries);
    this.countFrames(frames);
    stop();
  }

  /** Frames written outside a hub flush (a subscription's first write) count too. */
  countFrames(frames: number): void {
    if (frames > 0) this.metrics.framesWritten.inc(frames);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.options.flushIntervalMs > 0) setTimeout(() => this.flush(), this.options.flushIntervalMs);
    // Default: flush when the current callback and its promise jobs are done — that is, once
    // the log has handed over a whole commit (or a whole XREAD reply) and its acks are
    // queued, so each connection gets one frame with all of it, in the same turn of the
    // event loop. Waiting for setImmediate would let a second fan-out stand in between.
    else process.nextTick(() => this.flush());
  }
}

function size(fanout: ChannelFanout): number {
  return fanout.everyone.size + fanout.moderators.size;
}
