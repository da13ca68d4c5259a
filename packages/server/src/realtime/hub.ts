/**
 * This node's fan-out. Events published during a turn of the event loop are collected per
 * channel; at the flush tick each channel's batch is encoded once and handed to each of its
 * subscribers, and then every touched connection writes one frame (DESIGN.md invariants 3
 * and 4). The hub never awaits a socket: a connection that cannot keep up is the
 * connection's problem (bounded queue, close 4008), never the hub's.
 */
import type { ChannelEvent } from "@chorus/protocol";
import type { Metrics } from "../metrics.js";
import { uncorkAll } from "./cork.js";
import { EncodedBatch, type EncodedEvent, encodeEvent } from "./encoded.js";

export interface Subscriber {
  /** Queue the batch; called during the flush, must not write to the network. */
  deliver(batch: EncodedBatch): void;
  /** Called once per tick after every delivery: write what was queued; returns frames written. */
  flush(): number;
}

interface ChannelFanout {
  name: string;
  subscribers: Set<Subscriber>;
  pending: EncodedEvent[];
}

export interface HubOptions {
  /** 0 = flush as soon as the current callback is done; otherwise every N ms. @default 0 */
  flushIntervalMs: number;
}

export class Hub {
  private readonly channels = new Map<string, ChannelFanout>();
  private readonly dirty = new Set<ChannelFanout>();
  private scheduled = false;

  constructor(
    private readonly metrics: Metrics,
    private readonly options: HubOptions,
  ) {}

  subscribe(channel: string, subscriber: Subscriber): void {
    const fanout = this.channels.get(channel) ?? { name: channel, subscribers: new Set<Subscriber>(), pending: [] };
    this.channels.set(channel, fanout);
    fanout.subscribers.add(subscriber);
  }

  unsubscribe(channel: string, subscriber: Subscriber): void {
    const fanout = this.channels.get(channel);
    if (!fanout) return;
    fanout.subscribers.delete(subscriber);
    if (fanout.subscribers.size === 0 && fanout.pending.length === 0) this.channels.delete(channel);
  }

  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.subscribers.size ?? 0;
  }

  /** Channels with at least one local subscriber. */
  activeChannels(): string[] {
    return [...this.channels.keys()];
  }

  publish(channel: string, events: readonly ChannelEvent[]): void {
    const fanout = this.channels.get(channel);
    if (!fanout || fanout.subscribers.size === 0) return;
    for (const event of events) fanout.pending.push(encodeEvent(event));
    this.dirty.add(fanout);
    this.schedule();
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
      const batch = this.take(fanout);
      for (const subscriber of fanout.subscribers) {
        subscriber.deliver(batch);
        if (touched) touched.add(subscriber);
        else frames += subscriber.flush();
      }
      deliveries += batch.events.length * fanout.subscribers.size;
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

  private take(fanout: ChannelFanout): EncodedBatch {
    const batch = new EncodedBatch(fanout.name, fanout.pending);
    fanout.pending = [];
    if (fanout.subscribers.size === 0) this.channels.delete(fanout.name);
    return batch;
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
