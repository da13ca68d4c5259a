/**
 * Events serialised once (docs/architecture.md invariant 3): an event's JSON is built when it enters
 * the hub, and a batch's WebSocket frame and SSE chunk are built at most once per tick,
 * whatever the number of subscribers, then shared by reference.
 */
import type { ChannelEvent } from "@chorus/protocol";
import { encodeTextFrame } from "./ws-frame.js";

export interface EncodedEvent {
  seq: number | undefined;
  type: string;
  json: string;
}

/**
 * Encodings of events still referenced elsewhere (the log's recent window holds the same
 * objects): a reconnect storm replays the same window to thousands of clients, and each
 * replay would otherwise serialise every event again (a storm of 2,000 resumes × up to 1,000
 * events each).
 */
const encodings = new WeakMap<ChannelEvent, EncodedEvent>();

export function encodeEvent(event: ChannelEvent): EncodedEvent {
  let encoded = encodings.get(event);
  if (!encoded) {
    encoded = { seq: "seq" in event ? event.seq : undefined, type: event.type, json: JSON.stringify(event) };
    encodings.set(event, encoded);
  }
  return encoded;
}

export class EncodedBatch {
  private inner: string | undefined;
  private wire: Buffer | undefined;
  private sse: Buffer | undefined;
  /** Lowest seq in the batch, if any event has one. */
  readonly firstSeq: number | undefined;

  constructor(
    readonly channel: string,
    readonly events: readonly EncodedEvent[],
  ) {
    this.firstSeq = events.find((e) => e.seq !== undefined)?.seq;
  }

  /** The events as the inside of a JSON array: `e1,e2,…`. */
  get wsInner(): string {
    this.inner ??= this.events.map((e) => e.json).join(",");
    return this.inner;
  }

  /**
   * The WebSocket message `[e1,e2,…]` as complete frame bytes (header included), ready for a
   * raw socket write: built once per batch instead of once per connection.
   */
  get wsWire(): Buffer {
    this.wire ??= encodeTextFrame(Buffer.from(`[${this.wsInner}]`));
    return this.wire;
  }

  /** The events as Server-Sent Events; logged ones carry `id: <seq>` for Last-Event-ID resume. */
  get sseChunk(): Buffer {
    this.sse ??= Buffer.from(this.events.map(sseEvent).join(""));
    return this.sse;
  }

  /** A copy without logged events at or below `seq` (used only where a resume overlaps live events). */
  after(seq: number): EncodedBatch {
    return new EncodedBatch(
      this.channel,
      this.events.filter((e) => e.seq === undefined || e.seq > seq),
    );
  }
}

export function sseEvent(e: EncodedEvent): string {
  return e.seq === undefined
    ? `event: ${e.type}\ndata: ${e.json}\n\n`
    : `id: ${e.seq}\nevent: ${e.type}\ndata: ${e.json}\n\n`;
}
