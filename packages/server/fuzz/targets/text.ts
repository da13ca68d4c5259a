/**
 * The text normalisers: the protocol's message hygiene (`normalizeMessageText` and its
 * helpers), the blocked-terms matcher with its leetspeak / look-alike / spacing normaliser,
 * and AutoMod. Texts are assembled from the characters each step treats specially (combining
 * marks, bidi controls, zero-width joiners, emoji sequences, characters NFC lengthens, control
 * characters, lone surrogates, separators, leet digits, Cyrillic look-alikes), with real terms
 * planted in them under evasions, so that the matchers match and mask instead of passing.
 */
import { isDeepStrictEqual } from "node:util";
import {
  AUTOMOD_CATEGORIES,
  type AutoModCategories,
  type BlockedTerm,
  type BlockedTermAction,
  codePointLength,
  extractMentions,
  isEmoteOnly,
  isSafeString,
  LIMITS,
  normalizeMessageText,
  SAFE_STRING_PATTERN,
  toBlockedTerms,
} from "@chorus/protocol";
import fc from "fast-check";
import {
  type AutoModLevel,
  type AutoModLevels,
  type AutoModResult,
  evaluate,
  isFiltered,
  levelsFor,
} from "../../src/moderation/automod/automod.js";
import { LEXICON } from "../../src/moderation/automod/lexicon.js";
import { joinSpacedLetters, matcherFor, type TermMatch } from "../../src/moderation/blocked-terms.js";
import { loneSurrogate, nastyString } from "../generators.js";
import { assertNoPollution } from "../pollution.js";
import { syncCases, type Target } from "../runner.js";

// ---- texts ----------------------------------------------------------------------------------------

/** Characters and sequences each normalisation step treats specially. */
const SPECIALS = [
  // combining marks and what NFC composes
  "\u0301",
  "e\u0301",
  "A\u030A",
  "\u0344",
  "\u1100\u1161\u11A8",
  "\u0915\u093C",
  // characters NFC makes longer (one unit becomes two, or a pair becomes two pairs)
  "\u2ADC",
  "\uFA6C",
  "\u0958",
  "\u{1D15E}",
  // bidi controls, zero-width characters, joiners between and beside pictographs
  "\u202A",
  "\u202E",
  "\u2066",
  "\u2069",
  "\u200B",
  "\u200C",
  "\u200D",
  "\u2060",
  "\uFEFF",
  "\u00AD",
  "👩\u200D💻",
  "👩🏽\u200D💻",
  "\u200D👩",
  "👩\u200D",
  "❤\uFE0F",
  "👍🏽",
  "1\uFE0F\u20E3",
  "🏳\uFE0F\u200D🌈",
  // white space and control characters
  " ",
  "  ",
  "\u00A0",
  "\u3000",
  "\u2028",
  "\u2029",
  "\u1680",
  "\u200A",
  "\t",
  "\n",
  "\r",
  "\u0000",
  "\u0007",
  "\u001B",
  "\u007F",
  "\u0085",
  "\u009F",
  // what the blocked-terms normaliser reads as letters or drops
  "'",
  "’",
  "`",
  "$",
  "@",
  "!",
  "1",
  "3",
  "4",
  "0",
  "5",
  "7",
  "а",
  "е",
  "о",
  "р",
  "с",
  "ο",
  "ｆ",
  "𝐟",
  "ß",
  "İ",
  "ﬀ",
  "Σ",
  ".",
  "-",
  "_",
  "·",
  "•",
  "~",
  "+",
  "|",
  "/",
  "*",
  "***",
  // words the checks look for
  "@someone",
  "@ab",
  `@${"a".repeat(30)}`,
  "PogChamp",
  "Kappa",
  "https://example.com",
] as const;

const combiningRun = fc
  .array(fc.integer({ min: 0x0300, max: 0x036f }), { minLength: 1, maxLength: 12 })
  .map((marks) => `a${String.fromCharCode(...marks)}`);

const piece = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
  { weight: 6, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 2, arbitrary: combiningRun },
  { weight: 2, arbitrary: fc.constantFrom("hello", "what the", "you", "are", "so", "dumb", "good", "game") },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: nastyString },
);

/** A chat line: up to 40 pieces, or now and then one repeated to past the length limits. */
export const messageText: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.array(piece, { maxLength: 40 }).map((parts) => parts.join("")) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(piece, fc.integer({ min: 400, max: LIMITS.messageMaxChars * 8 + 16 }))
      .map(([p, length]) =>
        (p.length === 0 ? "x" : p).repeat(Math.ceil(length / Math.max(1, p.length))).slice(0, length),
      ),
  },
);

// ---- evasions of a term -------------------------------------------------------------------------

const LEET: Record<string, string> = { a: "4", e: "3", i: "1", o: "0", s: "$", t: "7", g: "9", b: "8", l: "1" };
const LOOK_ALIKE: Record<string, string> = { a: "а", e: "е", o: "о", p: "р", c: "с", x: "х", y: "у" };
const ACCENTED: Record<string, string> = { a: "á", e: "é", i: "í", o: "ö", u: "ü", n: "ñ", c: "ç" };

type Evasion = "plain" | "leet" | "lookalike" | "accents" | "spaced" | "dotted" | "stretched" | "zero-width" | "upper";

const evasion = fc.constantFrom<Evasion>(
  "plain",
  "leet",
  "lookalike",
  "accents",
  "spaced",
  "dotted",
  "stretched",
  "zero-width",
  "upper",
);

/** A term as chat evasion would write it ("sh1t", "s.h.i.t", "shiiiit", "ѕhit"). */
export function evade(term: string, how: Evasion, seed: number): string {
  const letters = Array.from(term.replace(/^\*|\*$/g, ""));
  const each = (map: Record<string, string>) =>
    letters.map((ch, i) => ((seed >> (i % 16)) & 1 ? (map[ch.toLowerCase()] ?? ch) : ch)).join("");
  switch (how) {
    case "plain":
      return letters.join("");
    case "leet":
      return each(LEET);
    case "lookalike":
      return each(LOOK_ALIKE);
    case "accents":
      return each(ACCENTED);
    case "spaced":
      return letters.join(" ");
    case "dotted":
      return letters.join(".");
    case "stretched":
      return letters.map((ch, i) => (i === seed % letters.length ? ch.repeat(3 + (seed % 5)) : ch)).join("");
    case "zero-width":
      return letters.join("\u200B");
    case "upper":
      return letters.join("").toUpperCase();
  }
}

/** A chat line with some of `terms` planted in it, each evaded somehow. */
const textWithTerms = (terms: readonly string[]): fc.Arbitrary<string> =>
  terms.length === 0
    ? messageText
    : fc
        .tuple(
          fc.array(
            fc.tuple(
              fc.constantFrom(...terms),
              evasion,
              fc.nat(),
              messageText.map((t) => t.slice(0, 60)),
            ),
            { minLength: 1, maxLength: 3 },
          ),
          messageText.map((t) => t.slice(0, 60)),
          fc.constantFrom(" ", "", ". ", "\u00A0"),
        )
        .map(
          ([planted, tail, gap]) =>
            planted.map(([t, how, seed, text]) => `${text}${gap}${evade(t, how, seed)}${gap}`).join("") + tail,
        );

// ---- the protocol's text hygiene ----------------------------------------------------------------

const SAFE_PLAIN = new RegExp(SAFE_STRING_PATTERN);
const SAFE_UNICODE = new RegExp(SAFE_STRING_PATTERN, "u");
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
const INVISIBLE = /[\u200B\u200C\u2060\uFEFF]/;
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const MENTION = /^[a-z0-9_]{3,25}$/;

export interface NormaliseCase {
  input: unknown;
  maxChars: number | undefined;
}

export const normaliseCases: fc.Arbitrary<NormaliseCase> = fc.record({
  input: fc.oneof(
    { weight: 20, arbitrary: messageText },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 5, {}, [], ["x"], true) },
  ),
  maxChars: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  ),
});

/** Runs of combining marks in a text, in code points. */
function longestMarkRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/\p{M}+/gu) ?? []) longest = Math.max(longest, codePointLength(run));
  return longest;
}

/** Checks one case; true when the text was accepted. */
export function checkNormalise({ input, maxChars }: NormaliseCase): boolean {
  const limit = maxChars ?? LIMITS.messageMaxChars;
  const result = normalizeMessageText(input, maxChars);
  const shown = () => fc.stringify(result).slice(0, 400);
  if (!isDeepStrictEqual(normalizeMessageText(input, maxChars), result)) throw new Error("not deterministic");
  if (typeof input !== "string") {
    if (result.ok) throw new Error(`accepted a ${typeof input}`);
    return false;
  }
  if (!result.ok) {
    if (typeof result.reason !== "string" || result.reason.length === 0) throw new Error("refused without a reason");
    return false;
  }
  const text = result.text;
  if (text.length === 0) throw new Error("accepted an empty text");
  if (codePointLength(text) > limit) throw new Error(`${codePointLength(text)} code points > ${limit}: ${shown()}`);
  // NFC can lengthen a string, by at most three times (Unicode's own bound).
  if (text.length > 3 * input.length) throw new Error(`output longer than 3× the input: ${shown()}`);
  if (!text.isWellFormed()) throw new Error(`output is not well-formed: ${shown()}`);
  if (CONTROL.test(text)) throw new Error(`output has a control character: ${shown()}`);
  if (BIDI.test(text)) throw new Error(`output has a bidi control: ${shown()}`);
  if (INVISIBLE.test(text)) throw new Error(`output has a zero-width character: ${shown()}`);
  if (text !== text.normalize("NFC")) throw new Error(`output is not NFC: ${shown()}`);
  if (text !== text.trim()) throw new Error(`output is not trimmed: ${shown()}`);
  if (longestMarkRun(text) > LIMITS.maxCombiningMarks)
    throw new Error(`more than ${LIMITS.maxCombiningMarks} marks in a row: ${shown()}`);
  const again = normalizeMessageText(text, maxChars);
  if (!again.ok || again.text !== text) {
    throw new Error(`not idempotent: ${shown()} normalised again is ${fc.stringify(again).slice(0, 400)}`);
  }
  return true;
}

/** The helpers beside it: the safe-string check agrees with its pattern, mentions are well-formed. */
export function checkTextHelpers(text: string): void {
  const safe = isSafeString(text);
  if (SAFE_PLAIN.test(text) !== safe) throw new Error(`isSafeString ${safe}, the pattern without u says otherwise`);
  if (SAFE_UNICODE.test(text) !== safe) throw new Error(`isSafeString ${safe}, the pattern with u says otherwise`);
  if (codePointLength(text) !== Array.from(text).length) throw new Error("codePointLength miscounts");
  const mentions = extractMentions(text);
  if (new Set(mentions).size !== mentions.length) throw new Error(`duplicate mentions ${mentions.join(",")}`);
  for (const m of mentions) {
    if (!MENTION.test(m)) throw new Error(`mention ${JSON.stringify(m)} is not a username`);
    if (!text.toLowerCase().includes(`@${m}`)) throw new Error(`mention ${m} is not in the text`);
  }
  if (mentions.length > text.length / 4) throw new Error("more mentions than the text has room for");
  const emoteOnly = isEmoteOnly(text);
  if (isEmoteOnly(text) !== emoteOnly) throw new Error("isEmoteOnly is not deterministic");
  if (emoteOnly && text.trim().length === 0) throw new Error("an empty text is emote-only");
}

export const textTarget: Target = {
  name: "text",
  summary: "protocol text hygiene (normalizeMessageText, isSafeString, extractMentions, isEmoteOnly)",
  weight: 15,
  async open() {
    let accepted = 0;
    let refused = 0;
    return {
      cases: syncCases(normaliseCases, (c) => {
        if (checkNormalise(c)) accepted++;
        else refused++;
        if (typeof c.input === "string") checkTextHelpers(c.input);
        assertNoPollution("normalising the text");
      }),
      close: async () => {},
      stats: () => `${accepted} texts accepted, ${refused} refused`,
    };
  },
};

// ---- blocked terms ------------------------------------------------------------------------------

const STRENGTH: Record<BlockedTermAction, number> = { mask: 0, hold: 1, reject: 2 };

/** Terms a channel might block, and terms written to break a pattern compiler. */
const ORDINARY_TERMS = ["heck", "darn*", "*ing", "a$$", "you are dumb", "1488", "x", "noob*", "f u", "gg ez"];
const HOSTILE_TERMS = [
  // Every character a regular expression gives a meaning to.
  ".*+?^$" + "{}()|[]\\/",
  "[a]",
  "?",
  "|a|",
  "\\",
  "*",
  "**",
  "* *",
  "a*b",
  "😀",
  "e\u0301",
  "ǅ",
  "İ",
  "ﬀ",
  "Σ",
  "'",
  "’s",
  "\u200B",
  ".-_",
  "a".repeat(100),
  "(?:",
  "$1",
  "\\b",
  "[^]",
  "a{2,}",
];

const termText = fc.oneof(
  fc.constantFrom(...ORDINARY_TERMS, ...HOSTILE_TERMS),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  nastyString,
);

const action = fc.constantFrom<BlockedTermAction>("mask", "hold", "reject");

/** A terms list as the API would store it: schema-valid terms, canonicalised by toBlockedTerms. */
const termsList = fc
  .array(fc.record({ term: termText, action }), { minLength: 1, maxLength: 6 })
  .map((raw) => toBlockedTerms(raw.filter((t) => t.term.length >= 1 && t.term.length <= 100 && isSafeString(t.term))));

/** Lists compiled once and reused (the common case); a fresh list per case costs a compile. */
const ACTIONS: readonly BlockedTermAction[] = ["mask", "hold", "reject"];
const withActions = (terms: readonly string[]): BlockedTerm[] =>
  terms.map((term, i) => ({ term, action: ACTIONS[i % ACTIONS.length] ?? "reject" }));
const FIXED_LISTS: readonly BlockedTerm[][] = [
  toBlockedTerms(withActions(ORDINARY_TERMS)),
  toBlockedTerms(withActions(HOSTILE_TERMS)),
  toBlockedTerms(LEXICON.slice(0, 200).map((e) => e.term)),
];

export interface TermsCase {
  terms: readonly BlockedTerm[];
  text: string;
  other: string;
}

export const termsCases: fc.Arbitrary<TermsCase> = fc
  .oneof({ weight: 6, arbitrary: fc.constantFrom(...FIXED_LISTS) }, { weight: 1, arbitrary: termsList })
  .chain((terms) =>
    fc.record({
      terms: fc.constant(terms),
      text: fc.oneof(
        { weight: 3, arbitrary: textWithTerms(terms.map((t) => t.term)) },
        { weight: 1, arbitrary: messageText },
      ),
      other: messageText,
    }),
  );

function checkJoin(text: string): void {
  const joined = joinSpacedLetters(text);
  if (!isDeepStrictEqual(joinSpacedLetters(text), joined)) throw new Error("joinSpacedLetters is not deterministic");
  if (!joined) return;
  const { text: out, origin } = joined;
  if (out.length !== origin.length) throw new Error("joinSpacedLetters: origin map length differs from its text");
  if (out.length > text.length) throw new Error("joinSpacedLetters lengthened the text");
  for (let i = 0; i < out.length; i++) {
    const from = origin[i] ?? -1;
    if (from < 0 || from >= text.length || (i > 0 && from <= (origin[i - 1] ?? -1)) || text[from] !== out[i]) {
      throw new Error(`joinSpacedLetters: unit ${i} maps to ${from}, which is not where it came from`);
    }
  }
}

export function checkTerms({ terms, text, other }: TermsCase): TermMatch | null {
  const matcher = matcherFor(terms);
  const match = matcher.match(text);
  checkJoin(text);
  // The normaliser remembers its last inputs: a text in between must not change the answer.
  matcher.match(other);
  if (!isDeepStrictEqual(matcher.match(text), match)) throw new Error("the match changed when asked again");
  assertNoPollution("matching blocked terms");
  if (!match) return null;
  const known = new Map(terms.map((t) => [t.term, t.action]));
  if (match.terms.length === 0) throw new Error("a match without terms");
  if (new Set(match.terms).size !== match.terms.length) throw new Error("a term reported twice");
  let strongest: BlockedTermAction = "mask";
  for (const term of match.terms) {
    const termAction = known.get(term);
    if (termAction === undefined) throw new Error(`matched ${JSON.stringify(term)}, which is not in the list`);
    if (STRENGTH[termAction] > STRENGTH[strongest]) strongest = termAction;
  }
  if (match.action !== strongest) throw new Error(`action ${match.action}, the strongest matched is ${strongest}`);
  const shown = () => `masked ${JSON.stringify(match.masked).slice(0, 400)}`;
  if (!match.masked.includes("***")) throw new Error(`a match masked nothing: ${shown()}`);
  // Each masked span (at least one unit) becomes three asterisks.
  if (match.masked.length > 3 * text.length) throw new Error(`masking more than tripled the text: ${shown()}`);
  // The store refuses lone surrogates: masking must never cut a pair in half.
  if (text.isWellFormed() && !match.masked.isWellFormed())
    throw new Error(`masking split a surrogate pair: ${shown()}`);
  return match;
}

export const blockedTermsTarget: Target = {
  name: "blocked-terms",
  summary: "blocked-terms matcher and its leetspeak/look-alike/spacing normaliser (TermMatcher, joinSpacedLetters)",
  weight: 20,
  async open() {
    let matched = 0;
    let passed = 0;
    return {
      cases: syncCases(termsCases, (c) => {
        if (checkTerms(c)) matched++;
        else passed++;
      }),
      close: async () => {},
      stats: () => `${matched} texts matched a term, ${passed} did not`,
    };
  },
};

// ---- AutoMod ------------------------------------------------------------------------------------

const CATEGORIES = AUTOMOD_CATEGORIES;
const STRICTNESS: Record<AutoModResult["action"], number> = { pass: 0, hold: 1, reject: 2 };
const level = fc.constantFrom<AutoModLevel>(0, 1, 2, 3, 4);
const levels: fc.Arbitrary<AutoModLevels> = fc.record(
  Object.fromEntries(CATEGORIES.map((c) => [c, level])) as Record<keyof AutoModLevels, fc.Arbitrary<AutoModLevel>>,
);

/** What a stored row could hold: any JSON number (the schema bounds it on the way in, not on the way out). */
const storedLevel = fc.oneof(level, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());

export interface AutoModCase {
  text: string;
  levels: AutoModLevels;
  /** Added to every level (clamped): the stricter setting, for monotonicity. */
  raise: AutoModLevels;
  stored: { autoModLevel: number; autoModCategories: Record<string, number> };
}

const lexiconTerms = LEXICON.map((e) => e.term);

export const autoModCases: fc.Arbitrary<AutoModCase> = fc.record({
  text: fc.oneof({ weight: 3, arbitrary: textWithTerms(lexiconTerms) }, { weight: 1, arbitrary: messageText }),
  levels,
  raise: levels,
  stored: fc.record({
    autoModLevel: storedLevel,
    autoModCategories: fc.dictionary(fc.constantFrom(...CATEGORIES), storedLevel),
  }),
});

export function checkAutoMod({ text, levels: base, raise, stored }: AutoModCase): AutoModResult {
  const result = evaluate(text, base);
  if (!isDeepStrictEqual(evaluate(text, base), result)) throw new Error("evaluate is not deterministic");
  const shown = () => fc.stringify(result).slice(0, 400);
  if (CATEGORIES.every((c) => base[c] === 0) && result.action !== "pass") throw new Error(`off, yet ${shown()}`);
  if (result.action === "pass" && result.hits.length > 0) throw new Error(`passed with hits: ${shown()}`);
  if (result.action !== "pass" && result.hits.length === 0) throw new Error(`${result.action} without hits`);
  for (const hit of result.hits) {
    if (!isFiltered(hit.severity, base[hit.category])) throw new Error(`a hit its level does not filter: ${shown()}`);
  }
  for (let i = 1; i < result.hits.length; i++) {
    if ((result.hits[i]?.severity ?? 0) > (result.hits[i - 1]?.severity ?? 0))
      throw new Error(`hits out of order: ${shown()}`);
  }
  const severeAtFour = result.hits.some((h) => h.severity === 4 && base[h.category] === 4);
  if ((result.action === "reject") !== severeAtFour)
    throw new Error(`reject without a severe term at level 4: ${shown()}`);
  const stricter = Object.fromEntries(
    CATEGORIES.map((c) => [c, Math.min(4, base[c] + raise[c]) as AutoModLevel]),
  ) as AutoModLevels;
  const strict = evaluate(text, stricter);
  if (STRICTNESS[strict.action] < STRICTNESS[result.action]) {
    throw new Error(`raising the levels weakened the verdict: ${result.action} → ${strict.action}`);
  }
  const clamped = levelsFor({
    autoModLevel: stored.autoModLevel,
    autoModCategories: stored.autoModCategories as AutoModCategories,
  });
  for (const c of CATEGORIES) {
    const l = clamped[c];
    if (!Number.isInteger(l) || l < 0 || l > 4)
      throw new Error(`levelsFor made ${c} ${l} from ${fc.stringify(stored)}`);
  }
  assertNoPollution("AutoMod");
  return result;
}

export const autoModTarget: Target = {
  name: "automod",
  summary: "AutoMod over its lexicon (evaluate, levelsFor)",
  weight: 10,
  async open() {
    const verdicts: Record<AutoModResult["action"], number> = { pass: 0, hold: 0, reject: 0 };
    return {
      cases: syncCases(autoModCases, (c) => {
        verdicts[checkAutoMod(c).action]++;
      }),
      close: async () => {},
      stats: () => `verdicts ${JSON.stringify(verdicts)}`,
    };
  },
};
