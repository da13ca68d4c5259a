/**
 * Blocked-term matching on obscenity, extended to see through what chat evasion does:
 * case, diacritics (é → e), leetspeak (sh1t), look-alike letters from other scripts (Cyrillic
 * а for a), zero-width characters, stretched letters (fuuuck) and spaced or dotted letters
 * (f u c k, s.h.i.t). Terms match whole words ("ass" does not match "assistant" or
 * "classic"); `*` at either end lets the word continue ("noob*" matches "noobs").
 *
 * Spaced and dotted letters are found by matching a second copy of the text in which every
 * run of single characters separated by spaces or punctuation is joined ("what the h.e.c.k"
 * → "what the heck"); the copy keeps a map back to the original for masking. Skipping every
 * separator instead would glue words together and lose their boundaries ("an ass" → "anass").
 *
 * A compiled matcher is cached per terms list: a channel's settings object is replaced when
 * they change, so the cache follows edits without being told.
 */
import type { BlockedTerm, BlockedTermAction } from "@chorus/protocol";
import {
  collapseDuplicatesTransformer,
  createSimpleTransformer,
  DataSet,
  parseRawPattern,
  RegExpMatcher,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
} from "obscenity";

export interface TermMatch {
  /** The strongest action among the matched terms: reject > hold > mask. */
  action: BlockedTermAction;
  terms: string[];
  /** The text with every matched span replaced by `***`. */
  masked: string;
}

const STRENGTH: Record<BlockedTermAction, number> = { mask: 0, hold: 1, reject: 2 };
const ZERO_WIDTH = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad]);

/** Drops zero-width characters and soft hyphens. */
const dropZeroWidth = createSimpleTransformer((c) => (ZERO_WIDTH.has(c) ? undefined : c));
/** é → e, ñ → n: the base letter of a precomposed one. */
const stripDiacritics = createSimpleTransformer((c) => String.fromCodePoint(c).normalize("NFD").codePointAt(0) ?? c);

const TRANSFORMERS = [
  dropZeroWidth,
  stripDiacritics,
  resolveConfusablesTransformer(),
  resolveLeetSpeakTransformer(),
  toAsciiLowerCaseTransformer(),
  // Runs of three or more become two; the patterns allow every letter once or twice.
  collapseDuplicatesTransformer({ defaultThreshold: 2, customThresholds: new Map() }),
];

/** Three or more single characters, each followed by separators: "f u c k", "s.h.i.t", "$-h-!-t". */
const SPACED = /(?<![^\s.,\-_·•~+|/])(?:[^\s.,\-_·•~+|/][\s.,\-_·•~+|/]+){2,}[^\s.,\-_·•~+|/](?![^\s.,\-_·•~+|/])/gu;
const SEPARATOR = /[\s.,\-_·•~+|/]/u;

/** The text with spaced letters joined, and for each of its UTF-16 units the index it came from. */
export function joinSpacedLetters(text: string): { text: string; origin: number[] } | null {
  if (!SPACED.test(text)) return null;
  SPACED.lastIndex = 0;
  let out = "";
  const origin: number[] = [];
  let at = 0;
  for (const m of text.matchAll(SPACED)) {
    for (let i = at; i < m.index; i++) {
      out += text[i];
      origin.push(i);
    }
    for (let i = m.index; i < m.index + m[0].length; i++) {
      const ch = text[i] ?? "";
      if (SEPARATOR.test(ch)) continue;
      out += ch;
      origin.push(i);
    }
    at = m.index + m[0].length;
  }
  for (let i = at; i < text.length; i++) {
    out += text[i];
    origin.push(i);
  }
  return { text: out, origin };
}

/** An obscenity pattern for a term: word boundaries unless `*`, each letter once or twice. */
export function termPattern(term: string): string {
  const open = term.startsWith("*");
  const close = term.endsWith("*") && term.length > 1;
  const core = term
    .replace(/^\*|\*$/g, "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
  let body = "";
  for (let i = 0; i < core.length; i++) {
    const ch = core[i] ?? "";
    const escaped = /[[\]?|\\]/.test(ch) ? `\\${ch}` : ch;
    // A letter already doubled in the term stays as written; any other may be doubled.
    const doubled = core[i + 1] === ch || core[i - 1] === ch;
    body += /[a-z0-9]/.test(ch) && !doubled ? `${escaped}[${escaped}]` : escaped;
  }
  return `${open ? "" : "|"}${body}${close ? "" : "|"}`;
}

export class TermMatcher {
  private readonly matcher: RegExpMatcher;
  private readonly dataset: DataSet<{ index: number }>;

  constructor(private readonly terms: readonly BlockedTerm[]) {
    const dataset = new DataSet<{ index: number }>();
    terms.forEach((t, index) => {
      if (t.term.replace(/\*/g, "").length === 0) return;
      dataset.addPhrase((phrase) => phrase.setMetadata({ index }).addPattern(parseRawPattern(termPattern(t.term))));
    });
    this.dataset = dataset;
    this.matcher = new RegExpMatcher({ ...dataset.build(), blacklistMatcherTransformers: TRANSFORMERS });
  }

  match(text: string): TermMatch | null {
    const spans: Array<[number, number]> = [];
    const hit = new Set<number>();
    const joined = joinSpacedLetters(text);
    const copies: Array<{ text: string; origin: number[] | null }> = [{ text, origin: null }];
    if (joined) copies.push(joined);
    for (const { text: copy, origin } of copies) {
      for (const m of this.matcher.getAllMatches(copy)) {
        const index = this.dataset.getPayloadWithPhraseMetadata(m).phraseMetadata?.index;
        if (index === undefined) continue;
        hit.add(index);
        spans.push(
          origin ? [origin[m.startIndex] ?? 0, origin[m.endIndex] ?? text.length - 1] : [m.startIndex, m.endIndex],
        );
      }
    }
    if (hit.size === 0) return null;
    const matched = [...hit].map((i) => this.terms[i]).filter((t): t is BlockedTerm => t !== undefined);
    const action = matched.reduce<BlockedTermAction>(
      (a, t) => (STRENGTH[t.action] > STRENGTH[a] ? t.action : a),
      "mask",
    );
    return { action, terms: matched.map((t) => t.term), masked: mask(text, spans) };
  }
}

/** Replaces each span (inclusive indices, possibly overlapping) with `***`. */
function mask(text: string, spans: Array<[number, number]>): string {
  const merged = spans
    .sort((a, b) => a[0] - b[0])
    .reduce<Array<[number, number]>>((out, span) => {
      const last = out.at(-1);
      if (last && span[0] <= last[1] + 1) last[1] = Math.max(last[1], span[1]);
      else out.push([...span]);
      return out;
    }, []);
  let result = "";
  let at = 0;
  for (const [start, end] of merged) {
    result += `${text.slice(at, start)}***`;
    at = end + 1;
  }
  return result + text.slice(at);
}

const compiled = new WeakMap<readonly BlockedTerm[], TermMatcher>();

/** The matcher for a channel's terms list, compiled once per list. */
export function matcherFor(terms: readonly BlockedTerm[]): TermMatcher {
  let matcher = compiled.get(terms);
  if (!matcher) {
    matcher = new TermMatcher(terms);
    compiled.set(terms, matcher);
  }
  return matcher;
}
