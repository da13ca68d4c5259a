/**
 * One connection's subscription to one channel, in the audience its role allows, and the
 * resume algorithm (docs/architecture.md, invariant 5): join the hub first (holding live events), read the channel head, backfill
 * (since, head] from the log, then release the held events minus anything at or below the
 * head. No gap (the hub had us before the head was read) and no duplicate (the seq filter).
 */
import type { ChannelLog } from "../ports/log.js";
import type { UserRecord } from "../ports/store.js";
import type { Audiences } from "./audiences.js";
import { EncodedBatch, encodeEvent } from "./encoded.js";
import type { Hub, Subscriber } from "./hub.js";
import type { PresenceTracker, Viewer } from "./presence-tracker.js";

/** What a transport (WebSocket connection, SSE response) offers a subscription. */
export interface Sink {
  readonly id: string;
  enqueue(batch: EncodedBatch): void;
  subscribed(channel: string, seq: number, recovered: boolean): void;
  /** Writes what was queued; returns the number of frames written. */
  flush(): number;
}

export interface SubscriptionDeps {
  hub: Hub;
  audiences: Audiences;
  log: ChannelLog;
  presence: PresenceTracker;
  maxReplayEvents: number;
}

export class ChannelSubscription implements Subscriber {
  private holding = true;
  private held: EncodedBatch[] = [];
  /** Logged events at or below this seq were already sent (or predate the subscription). */
  private sentThrough = 0;
  private closed = false;
  private watching = false;

  private constructor(
    readonly channel: string,
    private readonly sink: Sink,
    private readonly deps: SubscriptionDeps,
    private readonly viewer: Viewer,
  ) {}

  static async open(
    deps: SubscriptionDeps,
    sink: Sink,
    channel: string,
    since: number | undefined,
    viewer: Viewer,
  ): Promise<ChannelSubscription> {
    const audience = await deps.audiences.of(channel, viewer.user);
    const sub = new ChannelSubscription(channel, sink, deps, viewer);
    deps.hub.subscribe(channel, sub, audience);
    try {
      await sub.start(since);
    } catch (error) {
      sub.close();
      throw error;
    }
    return sub;
  }

  get user(): UserRecord | null {
    return this.viewer.user;
  }

  deliver(batch: EncodedBatch): void {
    if (this.closed) return;
    if (this.holding) {
      this.held.push(batch);
      return;
    }
    const fresh =
      batch.firstSeq !== undefined && batch.firstSeq <= this.sentThrough ? batch.after(this.sentThrough) : batch;
    // Everything in it was already sent (by the backfill): nothing to write.
    if (fresh.events.length === 0) return;
    this.sink.enqueue(fresh);
    this.advance(fresh);
  }

  flush(): number {
    return this.sink.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    this.deps.hub.unsubscribe(this.channel, this);
    if (this.watching) this.deps.log.unwatch(this.channel);
    this.deps.presence.leave(this.channel, this.viewer);
  }

  private async start(since: number | undefined): Promise<void> {
    const head = await this.deps.log.watch(this.channel);
    if (this.closed) {
      this.deps.log.unwatch(this.channel);
      return;
    }
    this.watching = true;
    let recovered = true;
    let backfill: EncodedBatch | null = null;
    if (since !== undefined && since < head) {
      const limit = this.deps.maxReplayEvents;
      if (head - since > limit) {
        recovered = false;
      } else {
        const { events, complete } = await this.deps.log.read(this.channel, since, head, limit);
        recovered = complete;
        if (complete && events.length > 0) backfill = new EncodedBatch(this.channel, events.map(encodeEvent));
      }
    } else if (since !== undefined && since > head) {
      // The client saw seqs this log does not have: history was lost, it must reload.
      recovered = false;
    }
    if (this.closed) return;
    this.sink.subscribed(this.channel, head, recovered);
    if (backfill) this.sink.enqueue(backfill);
    this.sentThrough = head;
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const batch of held) this.deliver(batch);
    this.deps.presence.join(this.channel, this.viewer);
    this.deps.hub.countFrames(this.sink.flush());
  }

  private advance(batch: EncodedBatch): void {
    for (let i = batch.events.length - 1; i >= 0; i--) {
      const seq = batch.events[i]?.seq;
      if (seq !== undefined) {
        if (seq > this.sentThrough) this.sentThrough = seq;
        return;
      }
    }
  }
}
