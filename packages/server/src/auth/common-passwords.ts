/**
 * Refuses the passwords attackers try first. NIST SP 800-63B and OWASP ASVS (V6.2) ask that a new
 * password be checked against commonly used and breached passwords and against words specific to
 * the context (the service's name, the username). Length is not judged here: the OWASP minimum of
 * 8 characters, with at least 64 allowed, is LIMITS.passwordMinChars/passwordMaxChars (8–128),
 * which auth-service checks. This module only answers "would a guesser find it early?".
 *
 * The list is the "passwords-common" dictionary of @zxcvbn-ts/language-common (MIT, maintained
 * with zxcvbn-ts): 49,233 lowercase passwords, the most frequent ones of the Xato ten-million
 * password corpus. It ships inside the npm package, so nothing is fetched at install or run time.
 *
 * zxcvbn builds that list *without* the passwords its own pattern matchers already catch:
 * "987654321", "aaaaaaaa", "abcdefgh", "poiuytrewq", "19841984" and "01011990" are not in it.
 * Of the 10,000 most common 8+ character passwords of the same corpus (SecLists' top million),
 * the list alone holds 6,162. isPredictable() puts the patterns back (repeats, sequences, dates,
 * keyboard walks) and the derivations below do the rest: all 10,000 are refused, and 24,988 of
 * the top 25,000.
 *
 * Past the list itself, the trivially derived forms that cracking rules (hashcat's best64 and the
 * like) try first are refused too: any case, separators between letters, l33t spellings, the
 * password reversed, a listed word with up to 4 digits and 3 symbols put around it
 * ("Password2024!"), and anything that is the username or "chorus" plus such a weak remainder.
 *
 * What it costs in false refusals, measured over 50,000 of each: 4-word diceware passphrases and
 * 16-character random strings, none; random 8-character printable strings, 1 in 1,250 (a listed
 * word or a keyboard walk inside them by chance); random 12-character ones, 1 in 25,000.
 */
import { createRequire } from "node:module";
import type { adjacencyGraphs as AdjacencyGraphs, dictionary as Dictionary } from "@zxcvbn-ts/language-common";

/** The service's own name: the first word anyone guesses for an account on it. */
const SERVICE_WORDS = ["chorus"];

/**
 * A decoration around a listed word is "weak" while it adds at most this many digits (a year, a
 * birthday, "1234")… Random digits past that outgrow what rule-based attacks enumerate.
 */
const MAX_DECORATION_DIGITS = 4;
/** …and at most this many symbols ("!", "!!", "?!.", "@#"). */
const MAX_DECORATION_SYMBOLS = 3;
/**
 * A listed word or pattern must be at least this long to count once decorated: "dragon!" is
 * refused, but "3;A/HAM9" is random, not "aham" dressed up. At 4, one random 8-character
 * password in 600 was refused that way; at 5, one in 2,000, and still every one of the 25,000
 * most common 8+ character passwords is. One letter less is enough when the decoration is only
 * symbols and pattern digits ("Love2024!", "jack123!!").
 */
const MIN_DECORATED_CORE = 5;
/** A remainder this short after taking out the username or "chorus" adds next to nothing. */
const MAX_TRIVIAL_REMAINDER = 4;

/** l33t substitutions, after zxcvbn's table. "1" and "|" read as either "i" or "l", so two tables. */
const LEET_COMMON: Readonly<Record<string, string>> = {
  "@": "a",
  "4": "a",
  "8": "b",
  "(": "c",
  "3": "e",
  "6": "g",
  "9": "g",
  "0": "o",
  $: "s",
  "5": "s",
  "7": "t",
  "+": "t",
  "%": "x",
  "2": "z",
};
const LEET_AS_I: Readonly<Record<string, string>> = { ...LEET_COMMON, "1": "i", "!": "i", "|": "i" };
const LEET_AS_L: Readonly<Record<string, string>> = { ...LEET_COMMON, "1": "l", "!": "i", "|": "l" };

/** Characters people put between words of a password; dropped to find "pass word", "i-love-you". */
const SEPARATORS = /[\s._,/\\-]+/gu;
const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;
const ALL_DIGITS = /^\p{N}+$/u;

interface CommonPasswordData {
  readonly passwords: ReadonlySet<string>;
  /** Per keyboard layout: each key's character → the characters of the keys around it. */
  readonly keyboards: readonly ReadonlyMap<string, ReadonlySet<string>>[];
}

let loaded: CommonPasswordData | undefined;

/**
 * Built on first use, once: parsing and decompressing the package's 49k strings and building the
 * Set takes about 100 ms of CPU and keeps 3.7 MiB of heap, which a server that never registers
 * anyone should not pay at start-up (a check after that costs ~50 µs; ~100 µs at 128 characters). createRequire keeps the load synchronous, so
 * isCommonPassword stays a plain function (the package ships CommonJS next to its ES module).
 */
function data(): CommonPasswordData {
  if (loaded) return loaded;
  const languageCommon = createRequire(import.meta.url)("@zxcvbn-ts/language-common") as {
    dictionary: typeof Dictionary;
    adjacencyGraphs: typeof AdjacencyGraphs;
  };
  // The number pads are left out: on a 3×3 pad half of all digit pairs are neighbours, so a
  // random 6-digit suffix would be a "walk" one time in 30. The walks people do type there
  // ("741852963", "159357", "789456123") are in the list itself, and the rest of the pad-only
  // walks among the 25,000 most common passwords are repeats or dates ("20102010", "69696969").
  const { qwerty, qwertz, azerty, dvorak } = languageCommon.adjacencyGraphs;
  const keyboards = [qwerty, qwertz, azerty, dvorak].map((graph) => {
    const near = new Map<string, ReadonlySet<string>>();
    for (const [key, neighbours] of Object.entries(graph) as [string, (string | null)[]][]) {
      // A neighbour is a key such as "2@": both its unshifted and shifted characters count.
      near.set(key, new Set(neighbours.flatMap((neighbour) => (neighbour ? [...neighbour] : []))));
    }
    return near;
  });
  // The list is already lowercase; lowercasing again keeps the case-insensitive promise even if
  // a later version of the package were not.
  const passwords = new Set<string>();
  for (const listed of languageCommon.dictionary["passwords-common"]) passwords.add(listed.toLowerCase());
  loaded = { passwords, keyboards };
  return loaded;
}

/**
 * True when `password` is one of the most common passwords or trivially derived from one, from
 * the username (`context.username`) or from the service's name. Case never matters.
 */
export function isCommonPassword(password: string, context: { username?: string } = {}): boolean {
  const lower = password.normalize("NFKC").toLowerCase().trim();
  // One character, however often repeated (or none, or only spaces): nothing to guess.
  if (new Set(lower).size <= 1) return true;
  const compact = lower.replace(SEPARATORS, "");
  const forms = new Set([lower, compact, reverse(compact)]);

  const contextWords = [...SERVICE_WORDS];
  const username = context.username?.normalize("NFKC").toLowerCase().replace(SEPARATORS, "");
  if (username) contextWords.push(username, reverse(username));

  for (const form of forms) {
    if (isListedOrDerived(form)) return true;
    if (containsContextWord(form, contextWords)) return true;
  }
  return false;
}

/** The form is listed, follows a pattern, or is a listed word spelt in l33t and/or decorated. */
function isListedOrDerived(form: string): boolean {
  const { passwords } = data();
  if (passwords.has(form) || isPredictable(form)) return true;

  // Try the core left after taking non-letters off each end. Taking off all of them finds
  // "2024dragon!!"; taking off only 0–2 keeps a l33t letter at the edge ("$hadow99", "1etmein").
  const leading = nonLetterRunLength(form);
  if (leading === form.length) {
    // No letters: digits with a few symbols around or among them ("123456789!", "!1234567890").
    const digits = onlyDigits(form);
    const symbols = [...form].length - [...digits].length;
    return symbols <= MAX_DECORATION_SYMBOLS && (passwords.has(digits) || isPredictable(digits));
  }
  const trailing = nonLetterRunLength(reverse(form));
  for (const start of edgeCuts(leading)) {
    for (const cut of edgeCuts(trailing)) {
      const prefix = form.slice(0, start);
      const suffix = form.slice(form.length - cut);
      const core = form.slice(start, form.length - cut);
      const cost = decorationCost(prefix, suffix);
      if (!cost || cost.digits > MAX_DECORATION_DIGITS || cost.symbols > MAX_DECORATION_SYMBOLS) continue;
      // A decorated core must be a real word: "3;A/HAM9" is random, not "aham" dressed up.
      const minCore = cost.digits === 0 ? MIN_DECORATED_CORE - 1 : MIN_DECORATED_CORE;
      if ((prefix || suffix) && [...core].length < minCore) continue;
      if (isListedWord(core, passwords)) return true;
    }
  }
  return false;
}

function isListedWord(core: string, passwords: ReadonlySet<string>): boolean {
  if (passwords.has(core) || passwords.has(unleet(core, LEET_AS_I)) || passwords.has(unleet(core, LEET_AS_L))) {
    return true;
  }
  // A pattern core ("qwerty", "abcdef") must be the letters themselves, not a slice of the
  // decoration: in "?2##WQA=", "##wqa" is not a walk anyone typed.
  return nonLetterRunLength(core) === 0 && nonLetterRunLength(reverse(core)) === 0 && isPredictable(core);
}

/** How many characters to try cutting from one end: 0, 1, 2 and the whole non-letter run. */
function edgeCuts(run: number): number[] {
  return [...new Set([0, Math.min(1, run), Math.min(2, run), run])];
}

/**
 * What the non-letters put around a word add: how many symbols, and how many digits that a
 * guesser would not try first. A run of digits that is itself a pattern or a listed password
 * ("2024", "123456", "19841984", "696969") costs nothing, because guessers append exactly those.
 * Undefined when digits and symbols interleave on one side: people append "2024!" or "!!123",
 * not "2!0?2", which is random.
 */
function decorationCost(...parts: string[]): { digits: number; symbols: number } | undefined {
  let digits = 0;
  let symbols = 0;
  for (const part of parts) {
    if (digitSymbolSwitches(part) > 1) return undefined;
    const partDigits = onlyDigits(part);
    symbols += [...part].length - [...partDigits].length;
    if (!data().passwords.has(partDigits) && !isPredictable(partDigits)) digits += [...partDigits].length;
  }
  return { digits, symbols };
}

function digitSymbolSwitches(text: string): number {
  let switches = 0;
  let previous: boolean | undefined;
  for (const c of text) {
    const isDigit = DIGIT.test(c);
    if (previous !== undefined && isDigit !== previous) switches++;
    previous = isDigit;
  }
  return switches;
}

function onlyDigits(text: string): string {
  return [...text].filter((c) => DIGIT.test(c)).join("");
}

/**
 * The username, its reverse or "chorus" appears in the password and what is left once it is taken
 * out is short or itself common: "alice2024", "chorus!", "password-chorus", "ecila".
 * A long passphrase that merely mentions the name ("alice-rides-a-tandem-uphill") is fine.
 */
function containsContextWord(form: string, words: readonly string[]): boolean {
  const variants = new Set([form, unleet(form, LEET_AS_I), unleet(form, LEET_AS_L)]);
  for (const variant of variants) {
    for (const word of words) {
      if (!variant.includes(word)) continue;
      const remainder = variant.split(word).join("");
      if ([...remainder].length <= MAX_TRIVIAL_REMAINDER) return true;
      const cost = LETTER.test(remainder) ? undefined : decorationCost(remainder);
      if (cost && cost.digits <= MAX_DECORATION_DIGITS && cost.symbols <= MAX_DECORATION_SYMBOLS) return true;
      // Checked without the username; each recursion drops at least one occurrence of a word, so
      // the remainder is strictly shorter every time and this ends.
      if (isCommonPassword(remainder)) return true;
    }
  }
  return false;
}

/**
 * The patterns zxcvbn keeps out of its list because its matchers catch them: repeats of a short
 * or listed unit, constant-step sequences, dates and years, and walks along a keyboard. Under
 * three characters nothing is a pattern: "?_=9:p-=" is random, not "p" decorated.
 */
function isPredictable(text: string): boolean {
  const chars = [...text];
  if (chars.length < 3) return false;
  return isRepeat(chars) || isRuns(chars) || isSequence(chars) || isDate(text) || isKeyboardWalk(chars);
}

/** Runs of one character each, all of one length, whose characters are few or a pattern: "00001111", "00112233". */
function isRuns(chars: readonly string[]): boolean {
  const runs: string[] = [];
  const lengths: number[] = [];
  for (const [i, c] of chars.entries()) {
    if (i > 0 && c === chars[i - 1]) lengths[lengths.length - 1] = (lengths.at(-1) ?? 0) + 1;
    else {
      runs.push(c);
      lengths.push(1);
    }
  }
  const runLength = lengths[0] ?? 0;
  if (runLength < 2 || lengths.some((length) => length !== runLength)) return false;
  return runs.length <= 2 || isPredictable(runs.join(""));
}

/** "aaaaaaaa", "12341234", "asdasdasd", "1qaz1qaz", "passwordpassword". */
function isRepeat(chars: readonly string[]): boolean {
  const n = chars.length;
  for (let unitLength = 1; unitLength <= n / 2; unitLength++) {
    if (n % unitLength !== 0) continue;
    let repeats = true;
    for (let i = unitLength; i < n && repeats; i++) repeats = chars[i] === chars[i - unitLength];
    if (!repeats) continue;
    const unit = chars.slice(0, unitLength).join("");
    // The shortest repeating unit is found first; a long unique unit repeated twice is still a
    // real password's worth of guessing, so only short or already-weak units count.
    return unitLength <= 4 || data().passwords.has(unit) || isPredictable(unit);
  }
  return false;
}

/** "abcdefgh", "987654321", "7890123" (digits wrap, as on the number row), "13579", "acegi". */
function isSequence(chars: readonly string[]): boolean {
  if (chars.length < 3) return false;
  const codes = chars.map((c) => c.codePointAt(0) ?? 0);
  const [first = 0, second = 0] = codes;
  let step = second - first;
  // "9012345": the first pair is itself the wrap from 9 to 0.
  if (isDigitCode(first) && isDigitCode(second) && Math.abs(step) === 9) step = -Math.sign(step);
  const wraps = (a: number, b: number) =>
    Math.abs(step) === 1 && isDigitCode(a) && isDigitCode(b) && (b - a + 10) % 10 === (step + 10) % 10;
  if (step === 0 || Math.abs(step) > 5) return false;
  for (let i = 1; i < codes.length; i++) {
    const a = codes[i - 1] ?? 0;
    const b = codes[i] ?? 0;
    if (b - a !== step && !wraps(a, b)) return false;
  }
  return true;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A year 1900–2099, or a day/month/year date in 6 or 8 digits, in any of the usual orders. */
function isDate(text: string): boolean {
  if (!ALL_DIGITS.test(text)) return false;
  const n = (from: number, to: number) => Number(text.slice(from, to));
  const valid = (day: number, month: number, year: number) =>
    day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 1900 && year <= 2099;
  switch (text.length) {
    case 4:
      return valid(1, 1, n(0, 4));
    case 6: // ddmmyy, mmddyy, yymmdd: any two-digit year is plausible
      return valid(n(0, 2), n(2, 4), 1900) || valid(n(2, 4), n(0, 2), 1900) || valid(n(4, 6), n(2, 4), 1900 + n(0, 2));
    case 8: // ddmmyyyy, mmddyyyy, yyyymmdd
      return valid(n(0, 2), n(2, 4), n(4, 8)) || valid(n(2, 4), n(0, 2), n(4, 8)) || valid(n(6, 8), n(4, 6), n(0, 4));
    default:
      return false;
  }
}

/**
 * Every key next to (or the same as) the one before on one keyboard: "qwertyuiop", "poiuytrewq",
 * "zaq12wsx", "!@#$%^&*", "qwertzui". A random 8-letter string is such a walk about once in
 * 20,000 tries, so the false-refusal rate is negligible at the minimum length.
 */
function isKeyboardWalk(chars: readonly string[]): boolean {
  return data().keyboards.some((near) => {
    for (let i = 1; i < chars.length; i++) {
      const previous = chars[i - 1] ?? "";
      const current = chars[i] ?? "";
      if (current === previous) {
        if (!near.has(current)) return false;
        continue;
      }
      if (!near.get(previous)?.has(current)) return false;
    }
    return true;
  });
}

function nonLetterRunLength(text: string): number {
  let i = 0;
  for (const c of text) {
    if (LETTER.test(c)) break;
    i += c.length;
  }
  return i;
}

function unleet(text: string, table: Readonly<Record<string, string>>): string {
  let out = "";
  for (const c of text) out += table[c] ?? c;
  return out;
}

function reverse(text: string): string {
  return [...text].reverse().join("");
}
