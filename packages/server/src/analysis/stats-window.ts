/**
 * A channel's rolling statistics over the last few minutes: rates, chatters, the sentiment
 * mix, top emotes and terms, and the questions nobody has answered yet. Counters are kept
 * incrementally as messages enter and leave the window (expiry, deletion, a cleared chat),
 * so a snapshot every two seconds costs a sort of the counters, not a pass over thousands
 * of messages.
 */
import type { ChannelStats, Message, SentimentLabel } from "@chorus/protocol";

/** How a message's emotes and content words are read (text-features.ts). */
export interface TextFeatures {
  emotes(message: Message): readonly string[];
  terms(message: Message): readonly string[];
}

export interface StatsWindowOptions {
  windowMs: number;
  topN: number;
  maxQuestions: number;
}

export const DEFAULT_STATS_OPTIONS: StatsWindowOptions = { windowMs: 5 * 60_000, topN: 10, maxQuestions: 10 };

interface Entry {
  at: number;
  seq: number;
  id: string;
  authorId: string;
  label: SentimentLabel | null;
  score: number;
  emotes: readonly string[];
  terms: readonly string[];
  question: Message | null;
  gone: boolean;
}

const COMMAND = /^\s*!/;

/** A message that asks something of the room (and is not a bot command). */
export function isQuestion(message: Message): boolean {
  if (COMMAND.test(message.text)) return false;
  return message.sentiment ? message.sentiment.tags.includes("question") : message.text.trimEnd().endsWith("?");
}

export class StatsWindow {
  /** Oldest first; entries leave from the front as they age out. */
  private entries: Entry[] = [];
  private head = 0;
  private readonly byId = new Map<string, Entry>();
  private readonly authors = new Map<string, number>();
  private readonly emotes = new Map<string, number>();
  private readonly terms = new Map<string, number>();
  private readonly labels = { positive: 0, neutral: 0, negative: 0 };
  private scored = 0;
  private scoreSum = 0;
  private live = 0;
  /** Questions in the window that are still open, by id (insertion order = seq order). */
  private readonly questions = new Map<string, Entry>();
  private readonly answered = new Set<string>();

  constructor(
    private readonly features: TextFeatures,
    private readonly options: StatsWindowOptions = DEFAULT_STATS_OPTIONS,
  ) {}

  /** Messages in the window now (deleted ones left out). */
  get size(): number {
    return this.live;
  }

  add(message: Message, at: number): void {
    if (this.byId.has(message.id)) return;
    if (message.replyTo !== undefined) this.answer(message.replyTo);
    const entry: Entry = {
      at,
      seq: message.seq,
      id: message.id,
      authorId: message.author.id,
      label: message.sentiment?.label ?? null,
      score: message.sentiment?.score ?? 0,
      emotes: this.features.emotes(message),
      terms: this.features.terms(message),
      question: isQuestion(message) ? message : null,
      gone: false,
    };
    this.entries.push(entry);
    this.byId.set(entry.id, entry);
    this.count(entry, 1);
    if (entry.question && !this.answered.has(entry.id)) this.questions.set(entry.id, entry);
  }

  /** A message was deleted: it no longer counts. */
  remove(id: string): void {
    const entry = this.byId.get(id);
    if (entry && !entry.gone) this.drop(entry);
  }

  /** The chat was cleared: everything up to this seq is gone. */
  clear(uptoSeq: number): void {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i];
      if (entry && entry.seq <= uptoSeq && !entry.gone) this.drop(entry);
    }
  }

  /** Someone replied to this message: if it was a question, it is no longer open. */
  answer(id: string): void {
    this.answered.add(id);
    this.questions.delete(id);
  }

  snapshot(now: number, viewers: number): ChannelStats {
    this.expire(now);
    const o = this.options;
    let lastMinute = 0;
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const entry = this.entries[i];
      if (!entry || entry.at < now - 60_000) break;
      if (!entry.gone) lastMinute++;
    }
    const share = (n: number): number => (this.scored === 0 ? 0 : round(n / this.scored));
    return {
      at: now,
      messagesPerMinute: round(this.live / (o.windowMs / 60_000)),
      lastMinute,
      chatters: this.authors.size,
      viewers,
      sentiment: {
        positive: share(this.labels.positive),
        neutral: share(this.labels.neutral),
        negative: share(this.labels.negative),
      },
      mood: this.scored === 0 ? 0 : round(this.scoreSum / this.scored),
      topEmotes: topOf(this.emotes, o.topN).map(([name, count]) => ({ name, count })),
      topTerms: topOf(this.terms, o.topN).map(([term, count]) => ({ term, count })),
      questions: [...this.questions.values()]
        .slice(-o.maxQuestions)
        .map((e) => e.question)
        .filter((m): m is Message => m !== null),
    };
  }

  private expire(now: number): void {
    const cutoff = now - this.options.windowMs;
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head];
      if (!entry || entry.at >= cutoff) break;
      if (!entry.gone) this.drop(entry);
      this.byId.delete(entry.id);
      this.answered.delete(entry.id);
      this.head++;
    }
    // Compact now and then rather than shift() per message.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private drop(entry: Entry): void {
    entry.gone = true;
    this.count(entry, -1);
    this.questions.delete(entry.id);
  }

  private count(entry: Entry, delta: 1 | -1): void {
    this.live += delta;
    bump(this.authors, entry.authorId, delta);
    for (const e of new Set(entry.emotes)) bump(this.emotes, e, delta);
    for (const t of new Set(entry.terms)) bump(this.terms, t, delta);
    if (entry.label) {
      this.labels[entry.label] += delta;
      this.scored += delta;
      this.scoreSum += delta * entry.score;
    }
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}

function topOf(map: ReadonlyMap<string, number>, n: number): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
