/**
 * Log port: the ordered, durable channel log (docs/architecture.md, docs/protocol.md "the channel log").
 *
 * Contract (pinned by test/contracts/log.contract.ts, run against every adapter):
 * - `append` resolves only once the event is durable (embedded: committed to the store by
 *   group commit; Redis: after XADD returned). That is what "ack means durable" rests on.
 * - Seqs of one channel are contiguous, start at 1, and are never handed out twice, not
 *   after a restart and not across nodes. A failed append consumes no seq.
 * - An append with a dedup key already seen (within the dedup window) appends nothing and
 *   resolves with the original event and `duplicate: true`.
 * - Listeners see every event of the channels they watch exactly once, in seq order, and
 *   only after it is durable. The write path never waits for listeners.
 * - `read` answers from the recent window, else from the store; `complete: false` means the
 *   range could not be served in full (the caller says `recovered:false`).
 */
import type { EventDraft, LoggedEvent } from "@chorus/protocol";

export interface AppendResult {
  event: LoggedEvent;
  duplicate: boolean;
}

export type LogListener = (channel: string, events: readonly LoggedEvent[]) => void;

export interface ReadResult {
  events: LoggedEvent[];
  complete: boolean;
}

export interface ChannelLog {
  append(channel: string, draft: EventDraft, dedupKey?: string): Promise<AppendResult>;
  /** The event appended earlier with this dedup key (within the dedup window), if any. */
  seen(channel: string, dedupKey: string): Promise<LoggedEvent | null>;
  /** The channel's latest seq (0 when empty). */
  head(channel: string): Promise<number>;
  /** Events with seq in (afterSeq, toSeq], ascending; at most `limit`. */
  read(channel: string, afterSeq: number, toSeq: number, limit: number): Promise<ReadResult>;
  /**
   * Starts (reference-counted) delivering this channel's events to listeners — a node reads
   * only the channels it serves — and resolves with the seq after which delivery is
   * guaranteed: every event with a higher seq reaches the listeners, none at or below it
   * needs to (the caller backfills up to it). This is what makes resume gap-free.
   */
  watch(channel: string): Promise<number>;
  unwatch(channel: string): void;
  onEvents(listener: LogListener): () => void;
  /**
   * Resolves when everything appended so far (to `channel`, or to any channel) is in the
   * Store, so that history reads see it. Bounded: gives up after a few seconds.
   */
  drain(channel?: string): Promise<void>;
  /** Forgets a deleted channel's window; its seq counter keeps its high-water mark. */
  forget(channel: string): void;
  close(): Promise<void>;
}
