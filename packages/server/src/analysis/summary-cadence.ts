/**
 * When a channel's next summary is due, and which messages it covers. A summary follows every
 * `every`-th message after the previous summary's `toSeq`: the count is anchored in the log
 * (a summary event records the seq it covered up to), so a new leader that reads the log after
 * a failover continues the count exactly where the old one stopped — no summary twice, none
 * missing. The messages a summary covers are the last `window` messages up to `toSeq`; those
 * deleted by the time it is written are left out of its text.
 */
import type { Message } from "@chorus/protocol";

/** Most messages a summary can cover (the largest `summaryWindow` allowed). */
const KEEP = 1000;
/** After a long outage, at most this many overdue summaries are written at once. */
const MAX_OVERDUE = 5;

export interface Due {
  toSeq: number;
}

export class SummaryCadence {
  private recent: Message[] = [];
  private readonly deleted = new Set<string>();
  private clearedUpTo = 0;
  /** The seq the latest summary covered up to (0: none yet). */
  private anchor = 0;
  /** Messages in `recent` after the anchor, kept as they come rather than counted per message. */
  private since = 0;

  /** The latest summary covered up to this seq (replayed or just written). */
  get lastToSeq(): number {
    return this.anchor;
  }

  /** A message logged, in seq order. Returns a due summary unless `replaying`. */
  message(message: Message, every: number, replaying = false): Due | null {
    this.recent.push(message);
    if (this.recent.length > KEEP * 2) this.trim();
    if (message.seq > this.anchor) this.since++;
    if (replaying) return null;
    return this.since >= every ? this.take(message.seq) : null;
  }

  /** A summary event in the log: the count restarts after what it covered. */
  summary(toSeq: number): void {
    if (toSeq <= this.anchor) return;
    this.anchor = toSeq;
    this.since = this.sinceAnchor();
  }

  remove(id: string): void {
    this.deleted.add(id);
  }

  clear(uptoSeq: number): void {
    this.clearedUpTo = Math.max(this.clearedUpTo, uptoSeq);
  }

  /**
   * After reading the log's recent past: the summaries that fell due while nobody wrote them
   * (the leader died), oldest first. When the read did not reach back to a summary or to the
   * channel's start (`readFromStart`), the count starts afresh: old history is not summarised
   * after the fact.
   */
  finishReplay(every: number, readFromStart: boolean): Due[] {
    if (this.anchor === 0 && !readFromStart) {
      const last = this.recent.at(-1);
      this.anchor = last ? last.seq : 0;
      this.since = 0;
      return [];
    }
    const after = this.recent.filter((m) => m.seq > this.anchor);
    const due: Due[] = [];
    for (let i = every - 1; i < after.length; i += every) {
      const m = after[i];
      if (m) due.push({ toSeq: m.seq });
    }
    const last = due.at(-1);
    if (last) this.anchor = last.toSeq;
    this.since = this.sinceAnchor();
    return due.slice(-MAX_OVERDUE);
  }

  /** The published messages a summary up to `toSeq` covers, and the seq its window starts at. */
  covered(toSeq: number, window: number): { messages: Message[]; fromSeq: number } {
    let end = this.recent.length;
    while (end > 0 && (this.recent[end - 1]?.seq ?? 0) > toSeq) end--;
    const slice = this.recent.slice(Math.max(0, end - window), end);
    return {
      messages: slice.filter((m) => !this.deleted.has(m.id) && m.seq > this.clearedUpTo),
      fromSeq: slice[0]?.seq ?? toSeq,
    };
  }

  private sinceAnchor(): number {
    let n = 0;
    for (let i = this.recent.length - 1; i >= 0; i--) {
      if ((this.recent[i]?.seq ?? 0) <= this.anchor) break;
      n++;
    }
    return n;
  }

  /** Keeps the last KEEP messages, and only their deletions. */
  private trim(): void {
    this.recent = this.recent.slice(-KEEP);
    const kept = new Set(this.recent.map((m) => m.id));
    for (const id of this.deleted) if (!kept.has(id)) this.deleted.delete(id);
  }

  private take(toSeq: number): Due {
    this.anchor = toSeq;
    this.since = 0;
    return { toSeq };
  }
}
