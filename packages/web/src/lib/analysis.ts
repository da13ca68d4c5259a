/**
 * Pure logic of the live chat analysis: the bounded ring of stats points the dashboard's charts
 * draw, the mapping of those points to chart series, highlights on a timeline, the questions
 * queue's local marks, the summary feed, emote images learnt from messages, and the analysis
 * settings an owner types. No DOM, no React: unit-tested in Node (test/analysis.test.ts).
 */
import { type ChannelStats, type Highlight, LIMITS, type Message } from "@chorus/protocol";
import { safeImageUrl } from "./streamer.js";

// ---- the point ring ------------------------------------------------------------------------

/** One `stats` event, reduced to what the charts draw. */
export interface StatsPoint {
  at: number;
  lastMinute: number;
  messagesPerMinute: number;
  positive: number;
  neutral: number;
  negative: number;
  mood: number;
  viewers: number;
  chatters: number;
}

export function toPoint(stats: ChannelStats): StatsPoint {
  return {
    at: stats.at,
    lastMinute: stats.lastMinute,
    messagesPerMinute: stats.messagesPerMinute,
    positive: stats.sentiment.positive,
    neutral: stats.sentiment.neutral,
    negative: stats.sentiment.negative,
    mood: stats.mood,
    viewers: stats.viewers,
    chatters: stats.chatters,
  };
}

/** What the charts show: the last 30 minutes. */
export const CHART_WINDOW_MS = 30 * 60_000;
/** The server sends `stats` every 2 s while a channel has chat. */
export const STATS_INTERVAL_MS = 2_000;
/** Points the ring keeps: 30 minutes of them, and some slack for a faster server. */
export const RING_CAPACITY = Math.ceil(CHART_WINDOW_MS / STATS_INTERVAL_MS) + 100;

/**
 * A fixed-size ring of points, oldest first: a dashboard left open for hours keeps the same
 * memory, and adding a point costs no reallocation. Points must come in time order; one not
 * newer than the last (the seed `GET /stats` racing the first event, a replay) is refused.
 */
export class PointRing {
  private readonly slots: Array<StatsPoint | undefined>;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number = RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.slots = new Array<StatsPoint | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Adds `point` as the newest; false (and nothing changes) unless it is newer than the last. */
  push(point: StatsPoint): boolean {
    const last = this.last();
    if (last !== undefined && point.at <= last.at) return false;
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = point;
      this.count++;
    } else {
      this.slots[this.start] = point;
      this.start = (this.start + 1) % this.capacity;
    }
    return true;
  }

  last(): StatsPoint | undefined {
    return this.count === 0 ? undefined : this.slots[(this.start + this.count - 1) % this.capacity];
  }

  /** The points, oldest first. */
  toArray(): StatsPoint[] {
    const out: StatsPoint[] = [];
    for (let i = 0; i < this.count; i++) {
      const point = this.slots[(this.start + i) % this.capacity];
      if (point !== undefined) out.push(point);
    }
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}

// ---- chart series ----------------------------------------------------------------------------

/** uPlot's data: x (Unix seconds) first, then one array per series, null where there is a gap. */
export type SeriesData = [number[], ...Array<Array<number | null>>];

/**
 * A silence longer than this between two points is drawn as a gap: the server stops sending
 * stats when a channel has no chat, and a line across that time would invent values.
 */
export const GAP_MS = 5 * STATS_INTERVAL_MS;

/**
 * The series of `points` that `pick` reads, in the `windowMs` before the newest point, with a
 * null row (a break in every line) in each gap longer than `gapMs`.
 */
export function seriesOf(
  points: readonly StatsPoint[],
  pick: (point: StatsPoint) => number[],
  { windowMs = CHART_WINDOW_MS, gapMs = GAP_MS }: { windowMs?: number; gapMs?: number } = {},
): SeriesData {
  const newest = points.at(-1);
  const width = newest === undefined ? 0 : pick(newest).length;
  const x: number[] = [];
  const ys: Array<Array<number | null>> = Array.from({ length: width }, () => []);
  if (newest === undefined) return [x, ...ys];
  const from = newest.at - windowMs;
  let previous: number | undefined;
  for (const point of points) {
    if (point.at < from) continue;
    if (previous !== undefined && point.at - previous > gapMs) {
      // Just after the last point before the silence: the lines stop there.
      x.push((previous + STATS_INTERVAL_MS) / 1000);
      for (const y of ys) y.push(null);
    }
    x.push(point.at / 1000);
    const values = pick(point);
    ys.forEach((y, i) => {
      y.push(values[i] ?? null);
    });
    previous = point.at;
  }
  return [x, ...ys];
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Messages in the last minute (the live line) and the 5-minute average per minute. */
export const rateSeries = (points: readonly StatsPoint[]): SeriesData =>
  seriesOf(points, (p) => [p.lastMinute, round(p.messagesPerMinute, 1)]);

/** Positive and negative shares in percent, and the mood (-1 … 1) for a scale of its own. */
export const sentimentSeries = (points: readonly StatsPoint[]): SeriesData =>
  seriesOf(points, (p) => [round(p.positive * 100, 1), round(p.negative * 100, 1), round(p.mood, 3)]);

/** Viewers and the window's distinct chatters. */
export const audienceSeries = (points: readonly StatsPoint[]): SeriesData =>
  seriesOf(points, (p) => [p.viewers, p.chatters]);

/** Points a series holds (gaps not counted). */
export function pointCount(data: SeriesData): number {
  const first = data[1];
  if (first === undefined) return 0;
  let n = 0;
  for (const v of first) if (v !== null) n++;
  return n;
}

// ---- wording -------------------------------------------------------------------------------

export const formatShare = (share: number): string => `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;

export function formatMood(mood: number): string {
  const clamped = Math.max(-1, Math.min(1, mood));
  const text = clamped.toFixed(2);
  return clamped > 0 ? `+${text}` : clamped === 0 ? "0.00" : text;
}

/** The mood in words, so that it is never a number or a colour alone. */
export function describeMood(mood: number): string {
  if (mood >= 0.3) return "very positive";
  if (mood >= 0.1) return "positive";
  if (mood > -0.1) return "neutral";
  if (mood > -0.3) return "negative";
  return "very negative";
}

// ---- highlights on a timeline ----------------------------------------------------------------

export interface TimelineMark extends Highlight {
  /** Position on the timeline, 0 (start) … 1 (end). */
  fraction: number;
}

/** The highlights between `start` and `end`, in time order, each with its place on the line. */
export function timelineMarks(highlights: readonly Highlight[], start: number, end: number): TimelineMark[] {
  const span = end - start;
  return highlights
    .filter((h) => h.at >= start && h.at <= end)
    .sort((a, b) => a.at - b.at || a.seq - b.seq)
    .map((h) => ({ ...h, fraction: span > 0 ? (h.at - start) / span : 0 }));
}

/**
 * Where a replay's playhead goes for a highlight: the time of its first message (so that the
 * replay shows that message as the newest), or the highlight's own time if the message is gone.
 */
export function highlightPlayhead(
  highlight: Pick<Highlight, "at" | "seq">,
  messages: readonly Pick<Message, "seq" | "createdAt">[],
): number {
  return messages.find((m) => m.seq === highlight.seq)?.createdAt ?? highlight.at;
}

/** "PogChamp · 120/min, 6× the usual 20/min" */
export function describeHighlight(h: Pick<Highlight, "label" | "rate" | "baseline">): string {
  const rate = `${Math.round(h.rate)}/min`;
  if (h.baseline <= 0) return `${h.label} · ${rate}`;
  const times = h.rate / h.baseline;
  return `${h.label} · ${rate}, ${times >= 10 ? Math.round(times) : times.toFixed(1)}× the usual ${Math.round(h.baseline)}/min`;
}

// ---- the questions queue ---------------------------------------------------------------------

/** What a moderator did with a question on this page (nothing is sent to the server). */
export type QuestionMark = "answered" | "dismissed";
export type QuestionMarks = Readonly<Record<string, QuestionMark>>;

/** The server's open questions that this page has not marked. */
export function openQuestions(questions: readonly Message[], marks: QuestionMarks): Message[] {
  return questions.filter((q) => marks[q.id] === undefined);
}

export function markQuestion(marks: QuestionMarks, id: string, mark: QuestionMark): QuestionMarks {
  return marks[id] === mark ? marks : { ...marks, [id]: mark };
}

/**
 * The marks of questions still in the server's list. A question leaves that list for good (it
 * was answered in chat, deleted, or left the 5-minute window), so its mark is no longer needed;
 * this keeps the marks as bounded as the list. The same object when nothing went.
 */
export function pruneMarks(marks: QuestionMarks, questions: readonly Pick<Message, "id">[]): QuestionMarks {
  const ids = Object.keys(marks);
  if (ids.length === 0) return marks;
  const present = new Set(questions.map((q) => q.id));
  if (ids.every((id) => present.has(id))) return marks;
  const kept: Record<string, QuestionMark> = {};
  for (const id of ids) {
    const mark = marks[id];
    if (mark !== undefined && present.has(id)) kept[id] = mark;
  }
  return kept;
}

export function countMarks(marks: QuestionMarks): { answered: number; dismissed: number } {
  let answered = 0;
  let dismissed = 0;
  for (const mark of Object.values(marks)) {
    if (mark === "answered") answered++;
    else dismissed++;
  }
  return { answered, dismissed };
}

// ---- summaries -----------------------------------------------------------------------------

/** A summary as `GET /summaries` lists it (a `summary` event gives the same with its seq and at). */
export interface StoredSummary {
  seq: number;
  at: number;
  text: string;
  fromSeq: number;
  toSeq: number;
}

/** Summaries the feed keeps. */
export const SUMMARIES_KEPT = 20;

/**
 * `current` and `incoming` as one list by seq, oldest first, without duplicates (the seed and
 * a replay after a reconnect may both bring one), the newest `max` kept. `current` itself when
 * nothing is new, so that a store update can be skipped.
 */
export function mergeSummaries(
  current: readonly StoredSummary[],
  incoming: readonly StoredSummary[],
  max: number = SUMMARIES_KEPT,
): readonly StoredSummary[] {
  const known = new Set(current.map((s) => s.seq));
  const fresh = incoming.filter((s) => !known.has(s.seq));
  if (fresh.length === 0) return current;
  const bySeq = new Map<number, StoredSummary>();
  for (const s of [...current, ...fresh]) bySeq.set(s.seq, s);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-max);
}

/** The summary a "catch me up" card shows: the latest, unless the reader dismissed it (or a later one). */
export function catchUpSummary(summaries: readonly StoredSummary[], dismissedSeq: number): StoredSummary | undefined {
  const latest = summaries.at(-1);
  return latest !== undefined && latest.seq > dismissedSeq ? latest : undefined;
}

// ---- emote images ----------------------------------------------------------------------------

/** Emote images remembered per channel page. */
export const EMOTE_URLS_MAX = 500;

/**
 * Remembers the https image of each named emote in `emotes` (a message's), most recent use
 * last; beyond `max` names the least recently seen goes. Mutates `urls` (a page-wide cache:
 * no re-render per message).
 */
export function learnEmoteUrls(
  urls: Map<string, string>,
  emotes: Message["emotes"],
  max: number = EMOTE_URLS_MAX,
): void {
  if (emotes === undefined) return;
  for (const emote of emotes) {
    const url = safeImageUrl(emote.url);
    if (url === null || emote.name === "") continue;
    urls.delete(emote.name);
    urls.set(emote.name, url);
  }
  while (urls.size > max) {
    const oldest = urls.keys().next();
    if (oldest.done) break;
    urls.delete(oldest.value);
  }
}

/** Each entry's share of the largest count, for a bar behind it. */
export function barFractions(counts: readonly number[]): number[] {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (max > 0 ? Math.max(0, c) / max : 0));
}

// ---- analysis settings -----------------------------------------------------------------------

export type AnalysisNumberKey = "summaryEvery" | "summaryWindow";

/** The ranges of the protocol's ChannelSettings schema. */
export const ANALYSIS_NUMBERS: Readonly<Record<AnalysisNumberKey, { label: string; min: number; max: number }>> = {
  summaryEvery: { label: "Summary every", min: 5, max: 1000 },
  summaryWindow: { label: "Summary covers", min: 10, max: 1000 },
};

export type ParsedNumber = { ok: true; value: number } | { ok: false; error: string };

export function parseAnalysisNumber(key: AnalysisNumberKey, raw: string): ParsedNumber {
  const { label, min, max } = ANALYSIS_NUMBERS[key];
  const text = raw.trim();
  const value = Number(text);
  if (text === "" || !Number.isInteger(value) || value < min || value > max)
    return { ok: false, error: `${label}: a whole number of messages from ${min} to ${max}.` };
  return { ok: true, value };
}

export const POLARITY_MIN = -5;
export const POLARITY_MAX = 5;

export type EmoteEdit = { ok: true; emotes: Record<string, number> } | { ok: false; error: string };

/**
 * `current` with `name` set to `polarity` as typed, or why not: an emote is one word of at most
 * `LIMITS.emoteNameMax` characters (its case kept: Kappa is not kappa), the polarity a whole
 * number from -5 to 5, and a channel has at most `LIMITS.sentimentEmotesMax` of them.
 */
export function withSentimentEmote(
  current: Readonly<Record<string, number>>,
  name: string,
  polarity: string,
): EmoteEdit {
  const emote = name.trim();
  if (emote === "") return { ok: false, error: "Type the emote's name." };
  if (/\s/.test(emote)) return { ok: false, error: "An emote's name is one word." };
  if ([...emote].length > LIMITS.emoteNameMax)
    return { ok: false, error: `An emote's name has at most ${LIMITS.emoteNameMax} characters.` };
  const value = Number(polarity.trim());
  if (polarity.trim() === "" || !Number.isInteger(value) || value < POLARITY_MIN || value > POLARITY_MAX)
    return { ok: false, error: `The feeling is a whole number from ${POLARITY_MIN} to ${POLARITY_MAX}.` };
  if (!Object.hasOwn(current, emote) && Object.keys(current).length >= LIMITS.sentimentEmotesMax)
    return { ok: false, error: `At most ${LIMITS.sentimentEmotesMax} emotes: remove one first.` };
  return { ok: true, emotes: { ...current, [emote]: value } };
}

export function withoutSentimentEmote(current: Readonly<Record<string, number>>, name: string): Record<string, number> {
  const next = { ...current };
  delete next[name];
  return next;
}

/** The emotes as rows, strongest feelings first, then by name. */
export function sentimentEmoteRows(
  emotes: Readonly<Record<string, number>>,
): Array<{ name: string; polarity: number }> {
  return Object.entries(emotes)
    .map(([name, polarity]) => ({ name, polarity }))
    .sort((a, b) => b.polarity - a.polarity || a.name.localeCompare(b.name));
}

export const formatPolarity = (polarity: number): string => (polarity > 0 ? `+${polarity}` : String(polarity));
