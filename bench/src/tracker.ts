/**
 * What one subscriber received, and how that compares with what was published.
 *
 * Two independent checks:
 * - content numbering: every bench message carries its number `n` in its text. Targets
 *   deliver in order, so an acknowledged number missing *before* the highest number the
 *   subscriber received is lost (a hole), while numbers missing *after* it are late: the
 *   subscriber was still behind when the drain period ended. A number seen twice is a
 *   duplicate.
 * - `seq` (every target numbers its events): starting from the `seq` given at subscribe
 *   time, every logged event must carry exactly the next one. A jump is a gap, a repeat or a
 *   step back is a duplicate, and stopping short of the last acknowledged seq is a missing
 *   tail (late, like above).
 */

export interface DeliveryCounts {
  subscribers: number;
  /** Distinct acknowledged messages received, summed over subscribers. */
  delivered: number;
  /** Acknowledged messages missing before a later one arrived (holes), summed over subscribers. */
  lost: number;
  /** Acknowledged messages not yet received at the end of the drain (after the last one received). */
  late: number;
  /**
   * Sent messages (acknowledged or not) never received, summed over subscribers: what a
   * target that falls behind had not delivered when the drain period ended.
   */
  undelivered: number;
  /** Extra copies of a message already received, summed over subscribers. */
  duplicates: number;
  /** Bench messages received that the publisher never saw acknowledged. */
  unacknowledged: number;
  /** Subscribers with at least one hole. */
  subscribersWithLoss: number;
  /** Largest number of holes of one subscriber. */
  maxLostPerSubscriber: number;
  /** Subscribers still missing acknowledged messages at the end. */
  subscribersBehind: number;
  /** Seqs skipped between two received events, summed over subscribers. */
  seqGaps: number;
  /** Seqs up to the last acknowledged one not received by the end, summed over subscribers. */
  seqTailMissing: number;
  /** Seqs received again or out of order, summed over subscribers. */
  seqDuplicates: number;
}

export function emptyCounts(): DeliveryCounts {
  return {
    subscribers: 0,
    delivered: 0,
    lost: 0,
    late: 0,
    undelivered: 0,
    duplicates: 0,
    unacknowledged: 0,
    subscribersWithLoss: 0,
    maxLostPerSubscriber: 0,
    subscribersBehind: 0,
    seqGaps: 0,
    seqTailMissing: 0,
    seqDuplicates: 0,
  };
}

export function addCounts(into: DeliveryCounts, more: DeliveryCounts): DeliveryCounts {
  into.subscribers += more.subscribers;
  into.delivered += more.delivered;
  into.lost += more.lost;
  into.late += more.late;
  into.undelivered += more.undelivered;
  into.duplicates += more.duplicates;
  into.unacknowledged += more.unacknowledged;
  into.subscribersWithLoss += more.subscribersWithLoss;
  into.maxLostPerSubscriber = Math.max(into.maxLostPerSubscriber, more.maxLostPerSubscriber);
  into.subscribersBehind += more.subscribersBehind;
  into.seqGaps += more.seqGaps;
  into.seqTailMissing += more.seqTailMissing;
  into.seqDuplicates += more.seqDuplicates;
  return into;
}

export class SubscriberTracker {
  /** Copies received per message number (saturates at 255). */
  private received: Uint8Array;
  private highest = -1;
  private lastSeq: number | undefined;
  private seqGaps = 0;
  private seqDuplicates = 0;

  constructor(expectedMessages: number) {
    this.received = new Uint8Array(Math.max(1, expectedMessages));
  }

  /** Seqs skipped so far (for the live progress line). */
  get gapsSoFar(): number {
    return this.seqGaps;
  }

  /** The subscription is live; `seq` is the target's latest seq at that point, if it has one. */
  subscribed(seq: number | undefined): void {
    if (seq !== undefined && this.lastSeq === undefined) this.lastSeq = seq;
  }

  /** Any logged event (message or not) with its seq. */
  logged(seq: number): void {
    const last = this.lastSeq;
    if (last === undefined) {
      this.lastSeq = seq;
      return;
    }
    if (seq <= last) {
      this.seqDuplicates++;
      return;
    }
    if (seq > last + 1) this.seqGaps += seq - last - 1;
    this.lastSeq = seq;
  }

  /** A bench message; returns true the first time this subscriber sees number `n`. */
  message(n: number): boolean {
    if (n >= this.received.length) {
      const grown = new Uint8Array(Math.max(n + 1, this.received.length * 2));
      grown.set(this.received);
      this.received = grown;
    }
    if (n > this.highest) this.highest = n;
    const copies = this.received[n]!;
    if (copies < 255) this.received[n] = copies + 1;
    return copies === 0;
  }

  /**
   * Compares with the publisher's record: `acknowledged` has one entry per message sent, true
   * where the target accepted it; `finalSeq` is the highest seq it acknowledged (if it numbers).
   */
  counts(acknowledged: readonly boolean[], finalSeq: number | undefined): DeliveryCounts {
    const c = emptyCounts();
    c.subscribers = 1;
    const n = Math.max(acknowledged.length, this.received.length);
    for (let i = 0; i < n; i++) {
      const copies = this.received[i] ?? 0;
      const acked = acknowledged[i] === true;
      if (copies > 1) c.duplicates += copies - 1;
      if (i < acknowledged.length && copies === 0) c.undelivered++;
      if (acked && copies === 0) {
        if (i < this.highest) c.lost++;
        else c.late++;
      } else if (acked) c.delivered++;
      else if (copies > 0) c.unacknowledged++;
    }
    c.subscribersWithLoss = c.lost > 0 ? 1 : 0;
    c.maxLostPerSubscriber = c.lost;
    c.subscribersBehind = c.late > 0 ? 1 : 0;
    c.seqGaps = this.seqGaps;
    if (finalSeq !== undefined && this.lastSeq !== undefined && finalSeq > this.lastSeq) {
      c.seqTailMissing = finalSeq - this.lastSeq;
    }
    c.seqDuplicates = this.seqDuplicates;
    return c;
  }
}
