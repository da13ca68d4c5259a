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
 * Apostrophes are dropped and runs of white space count as one space, in the text and in the
 * terms alike, so a phrase matches "you're" as "youre" and survives doubled spaces.
 *
 * `PhraseMatcher` does the matching for any list of entries with a `term` (AutoMod's lexicon
 * carries a category and severity per term); `TermMatcher` is the blocked-terms view on it.
 * A compiled matcher is cached per terms list: a channel's settings object is replaced when
 * they change, so the cache follows edits without being told.
 */
import type { BlockedTerm, BlockedTermAction } from "@chorus/protocol";
import {
  collapseDuplicatesTransformer,
  createSimpleTransformer,
  type Node,
  parseRawPattern,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  type StatefulTransformer,
  SyntaxKind,
  type TransformerContainer,
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
/** Zero-width characters, the soft hyphen, and apostrophes (straight, curly, modifier, backtick). */
const DROPPED = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x27, 0x2018, 0x2019, 0x02bc, 0x60]);
const SPACE = 0x20;
const isSpace = (c: number): boolean =>
  (c >= 0x09 && c <= 0x0d) ||
  c === SPACE ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000;

/** Drops zero-width characters, soft hyphens and apostrophes; every kind of space becomes " ". */
const dropInvisible = createSimpleTransformer((c) => (DROPPED.has(c) ? undefined : isSpace(c) ? SPACE : c));
/** é → e, ñ → n: the base letter of a precomposed one (nothing below U+00C0 has one). */
const stripDiacritics = createSimpleTransformer((c) =>
  c < 0xc0 ? c : (String.fromCodePoint(c).normalize("NFD").codePointAt(0) ?? c),
);

const TRANSFORMERS: TransformerContainer[] = [
  dropInvisible,
  stripDiacritics,
  resolveConfusablesTransformer(),
  resolveLeetSpeakTransformer(),
  toAsciiLowerCaseTransformer(),
  // Runs of three or more become two; the patterns allow every letter once or twice. Runs of
  // spaces become one, as in the patterns.
  collapseDuplicatesTransformer({ defaultThreshold: 2, customThresholds: new Map([[" ", 1]]) }),
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

let termSpelling: Normaliser | undefined;

/**
 * The letters a term stands for, as the transformed text spells them: a term written with
 * digits or look-alikes ("1488", "a$$") is read the way the text is.
 */
function termCore(term: string): string {
  termSpelling ??= new Normaliser([
    resolveConfusablesTransformer(),
    resolveLeetSpeakTransformer(),
    toAsciiLowerCaseTransformer(),
  ]);
  const plain = term
    .replace(/^\*|\*$/g, "")
    .normalize("NFD")
    .replace(/\p{M}|['\u2018\u2019\u02bc`]/gu, "")
    .replace(/\s+/gu, " ")
    .toLowerCase();
  return termSpelling.run(plain).text;
}

/** An obscenity pattern for a term: word boundaries unless `*`, each letter once or twice. */
export function termPattern(term: string): string {
  const open = term.startsWith("*");
  const close = term.endsWith("*") && term.length > 1;
  const core = termCore(term);
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

/** Anything matched by its `term`. */
export interface Termed {
  readonly term: string;
}

export interface PhraseMatches<T> {
  /** The entries found, each once, in the order of the list. */
  entries: T[];
  /** Where, in the original text: inclusive indices, possibly overlapping. */
  spans: Array<[number, number]>;
}

/**
 * Runs the transformers over a text, as obscenity's matcher does: the transformed text, and
 * for each of its UTF-16 units the index in the input it came from.
 */
class Normaliser {
  private readonly steps: Array<(c: number) => number | undefined>;
  private readonly stateful: StatefulTransformer[] = [];
  /**
   * What the leading stateless steps make of each ASCII character (-1: dropped), so that the
   * common character costs one lookup instead of a call per step; `rest` are the steps after.
   */
  private readonly ascii = new Int32Array(128);
  private readonly rest: number;

  constructor(transformers: readonly TransformerContainer[]) {
    let stateless = 0;
    while (stateless < transformers.length && "transform" in (transformers[stateless] as TransformerContainer)) {
      stateless++;
    }
    this.rest = stateless;
    this.steps = transformers.map((t) => {
      if ("transform" in t) return t.transform;
      const instance = t.factory();
      this.stateful.push(instance);
      return (c: number) => instance.transform(c);
    });
    for (let c = 0; c < 128; c++) {
      let out: number | undefined = c;
      for (let k = 0; k < stateless && out !== undefined; k++) out = this.steps[k]?.(out);
      this.ascii[c] = out ?? -1;
    }
  }

  run(input: string): { text: string; origin: number[] } {
    for (const s of this.stateful) s.reset();
    const codes: number[] = [];
    const origin: number[] = [];
    for (let i = 0; i < input.length; ) {
      const code = input.codePointAt(i) ?? 0;
      let c: number | undefined;
      let k: number;
      if (code < 128) {
        const mapped = this.ascii[code] ?? -1;
        c = mapped < 0 ? undefined : mapped;
        k = this.rest;
      } else {
        c = code;
        k = 0;
      }
      for (; k < this.steps.length && c !== undefined; k++) c = this.steps[k]?.(c);
      if (c !== undefined) {
        codes.push(c);
        origin.push(i);
        if (c > 0xffff) origin.push(i);
      }
      i += code > 0xffff ? 2 : 1;
    }
    let text = "";
    for (let at = 0; at < codes.length; at += 4096) text += String.fromCodePoint(...codes.slice(at, at + 4096));
    return { text, origin };
  }
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** A JavaScript regular expression for an obscenity pattern, as obscenity compiles it. */
function regExpSource(nodes: readonly Node[]): string {
  const literal = (chars: number[]) => String.fromCodePoint(...chars).replace(REGEXP_SPECIAL, "\\$&");
  const nodeSource = (node: Node): string => {
    if (node.kind === SyntaxKind.Literal) return literal(node.chars);
    if (node.kind === SyntaxKind.Wildcard) return ".";
    return `(?:${nodeSource(node.childNode)})?`;
  };
  return nodes.map(nodeSource).join("");
}

/**
 * Bucket of the terms a word can start: its first letter and the next different one, so that
 * a doubled first letter ("kkys") finds the same bucket as the term ("kys").
 */
function startKey(text: string, at: number): number {
  const first = text.charCodeAt(at);
  let next = at + 1;
  while (text.charCodeAt(next) === first) next++;
  // A number, not a string: no allocation per word. A one-letter term has no second unit (0).
  return first * 0x10000 + (next < text.length ? text.charCodeAt(next) : 0);
}

const WORD = /[a-z0-9_]/;
/** WORD for one UTF-16 unit, without a regular expression (it runs for every character). */
function isWordUnit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

interface Compiled {
  /** Sticky for bucketed terms (tried at a word start), global for the others. */
  readonly regExp: RegExp;
  readonly indices: number[];
  /** The term has letters: then a match with none in the original text is a number, not the term. */
  readonly letters: boolean;
}

const LETTER = /\p{L}/u;

/**
 * Finds a list of entries, each matched by its `term`, in a text. The terms are obscenity
 * patterns (see `termPattern`) matched over the transformed text; rather than running every
 * term's expression over the whole text, a term that starts with a whole word is tried only
 * at the word starts whose first two letters it can begin with, so the cost grows with the
 * message, not with the list (AutoMod's lexicon has hundreds of terms).
 */
let shared: Normaliser | undefined;
/** The last inputs and what the transformers made of them (a message and its joined copy). */
const memo: Array<{ input: string; output: { text: string; origin: number[] } }> = [];

/**
 * The transformed text, remembered for the last two inputs: every matcher of a message (the
 * channel's blocked terms, then AutoMod) normalises the same text, once.
 */
function normalise(input: string): { text: string; origin: number[] } {
  const known = memo.find((m) => m.input === input);
  if (known) return known.output;
  shared ??= new Normaliser(TRANSFORMERS);
  const output = shared.run(input);
  memo.unshift({ input, output });
  memo.length = Math.min(memo.length, 2);
  return output;
}

/**
 * The terms a word start can begin, with one expression for all of them: most words match
 * none, and a single failed test is cheaper than one per term (AutoMod has buckets of 60).
 */
interface Bucket {
  readonly items: Compiled[];
  any: RegExp | null;
}

export class PhraseMatcher<T extends Termed> {
  private readonly byStart = new Map<number, Bucket>();
  /** Terms starting mid-word (`*ing`) or with a non-letter: run over the whole text. */
  private readonly anywhere: Compiled[] = [];

  constructor(private readonly entries: readonly T[]) {
    const bySource = new Map<string, Compiled>();
    entries.forEach((entry, index) => {
      const core = termCore(entry.term);
      if (core.trim().length === 0) return;
      const pattern = parseRawPattern(termPattern(entry.term));
      const bucketed = pattern.requireWordBoundaryAtStart && WORD.test(core[0] ?? "");
      const source = `${regExpSource(pattern.nodes)}${pattern.requireWordBoundaryAtEnd ? "\\b" : ""}`;
      const key = bucketed ? startKey(core, 0) : -1;
      const id = `${key}\u0000${source}`;
      const known = bySource.get(id);
      if (known) {
        known.indices.push(index);
        return;
      }
      const compiled: Compiled = {
        regExp: new RegExp(
          bucketed ? source : `${pattern.requireWordBoundaryAtStart ? "\\b" : ""}${source}`,
          bucketed ? "ys" : "gs",
        ),
        indices: [index],
        letters: LETTER.test(entry.term),
      };
      bySource.set(id, compiled);
      if (!bucketed) this.anywhere.push(compiled);
      else {
        const bucket = this.byStart.get(key);
        if (bucket) bucket.items.push(compiled);
        else this.byStart.set(key, { items: [compiled], any: null });
      }
    });
    for (const bucket of this.byStart.values()) {
      if (bucket.items.length > 1) {
        bucket.any = new RegExp(bucket.items.map((c) => `(?:${c.regExp.source})`).join("|"), "ys");
      }
    }
  }

  find(text: string): PhraseMatches<T> | null {
    const spans: Array<[number, number]> = [];
    const hit = new Set<number>();
    const joined = joinSpacedLetters(text);
    const copies: Array<{ text: string; origin: number[] | null }> = [{ text, origin: null }];
    if (joined) copies.push(joined);
    for (const copy of copies) {
      const normal = normalise(copy.text);
      const toInput = (i: number): number => {
        const inCopy = normal.origin[i] ?? copy.text.length - 1;
        return copy.origin ? (copy.origin[inCopy] ?? text.length - 1) : inCopy;
      };
      const found = (compiled: Compiled, start: number, length: number) => {
        const span: [number, number] = [toInput(start), lastUnit(text, toInput(start + length - 1))];
        // Leetspeak reads digits as letters, but "455" is a number, not "ass" (a term spelt
        // with digits, such as a hate code, still matches digits).
        if (compiled.letters && !LETTER.test(text.slice(span[0], span[1] + 1))) return;
        for (const i of compiled.indices) hit.add(i);
        spans.push(span);
      };
      const t = normal.text;
      for (let at = 0; at < t.length; at++) {
        if (!isWordUnit(t.charCodeAt(at)) || (at > 0 && isWordUnit(t.charCodeAt(at - 1)))) continue;
        const bucket = this.byStart.get(startKey(t, at));
        const single = this.byStart.get(t.charCodeAt(at) * 0x10000);
        for (const list of [bucket, single]) {
          if (!list) continue;
          if (list.any) {
            list.any.lastIndex = at;
            if (!list.any.test(t)) continue;
          }
          for (const compiled of list.items) {
            compiled.regExp.lastIndex = at;
            const m = compiled.regExp.exec(t);
            if (m) found(compiled, at, m[0].length);
          }
        }
      }
      for (const compiled of this.anywhere) {
        for (const m of t.matchAll(compiled.regExp)) if (m[0].length > 0) found(compiled, m.index, m[0].length);
      }
    }
    if (hit.size === 0) return null;
    const entries = [...hit]
      .sort((a, b) => a - b)
      .map((i) => this.entries[i])
      .filter((t): t is T => t !== undefined);
    return { entries, spans };
  }
}

/** An index that ends a character: past the low half of a surrogate pair. */
function lastUnit(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? at + 1 : at;
}

export class TermMatcher {
  private readonly phrases: PhraseMatcher<BlockedTerm>;

  constructor(terms: readonly BlockedTerm[]) {
    this.phrases = new PhraseMatcher(terms);
  }

  match(text: string): TermMatch | null {
    const found = this.phrases.find(text);
    if (!found) return null;
    const action = found.entries.reduce<BlockedTermAction>(
      (a, t) => (STRENGTH[t.action] > STRENGTH[a] ? t.action : a),
      "mask",
    );
    return { action, terms: found.entries.map((t) => t.term), masked: mask(text, found.spans) };
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
