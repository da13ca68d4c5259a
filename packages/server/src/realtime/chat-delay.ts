/**
 * Chat delay (Twitch's 2/4/6 s): a channel's logged events reach its non-moderators that much
 * later than its moderators, so a moderator who deletes a message, clears the chat or bans
 * the author during the delay is in time: viewers then get the message only as a `deleted`
 * placeholder (empty text, same seq, so their seqs stay contiguous) followed by the removal.
 * One queue per channel and node; every node delays the events it fans out itself.
 */
import type { ChannelEvent, Message } from "@chorus/protocol";

interface Delayed {
  due: number;
  event: ChannelEvent;
}

export class ChatDelay {
  private queue: Delayed[] = [];
  private timer: NodeJS.Timeout | null = null;

  /** @param release called with the events whose time has come, in order, removals applied. */
  constructor(private readonly release: (events: ChannelEvent[]) => void) {}

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues events for `delayMs`. Never earlier than what is already queued: when the delay is
   * shortened or switched off, the order viewers see stays the log's order.
   */
  add(events: readonly ChannelEvent[], delayMs: number, now = Date.now()): void {
    const last = this.queue.at(-1)?.due ?? 0;
    const due = Math.max(now + delayMs, last);
    for (const event of events) this.queue.push({ due, event });
    this.arm(now);
  }

  /** Drops everything queued (no subscriber left to deliver to; they resume from the log). */
  clear(): void {
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(now: number): void {
    const next = this.queue[0];
    if (this.timer || !next) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.due - now));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    const now = Date.now();
    const released = takeDue(this.queue, now);
    this.queue = this.queue.slice(released.length);
    if (released.length > 0) this.release(released);
    this.arm(now);
  }
}

/**
 * The events at the head of `queue` due at `now`, each message that a later queued event
 * removes (its delete, a clear, its author's ban or timeout) replaced by its placeholder.
 */
export function takeDue(queue: readonly Delayed[], now: number): ChannelEvent[] {
  let count = 0;
  while (count < queue.length && (queue[count]?.due ?? Number.POSITIVE_INFINITY) <= now) count++;
  if (count === 0) return [];
  // Walk back from the tail: at each message, the sets hold what happens after it.
  const deletedIds = new Set<string>();
  const removedAuthors = new Set<string>();
  let clearedAfter = false;
  const out: ChannelEvent[] = new Array(count);
  for (let i = queue.length - 1; i >= 0; i--) {
    const event = (queue[i] as Delayed).event;
    if (i < count) out[i] = event.type === "message" && removed(event.data) ? placeholder(event) : event;
    switch (event.type) {
      case "message_deleted":
        deletedIds.add(event.data.id);
        break;
      case "chat_cleared":
        clearedAfter = true;
        break;
      case "user_banned":
      case "user_timed_out":
        removedAuthors.add(event.data.username);
        break;
    }
  }
  return out;

  function removed(message: Message): boolean {
    return clearedAfter || deletedIds.has(message.id) || removedAuthors.has(message.author.username);
  }
}

function placeholder(event: Extract<ChannelEvent, { type: "message" }>): ChannelEvent {
  const { id, channel, seq, createdAt, author } = event.data;
  return { ...event, data: { id, channel, seq, text: "", createdAt, author, deleted: true } };
}
