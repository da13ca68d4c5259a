/**
 * What a chat line is made of, for the analysers (stats, summaries): its content words, its
 * emotes and emoji, and whether it is a command, a link or nothing but emotes. Pure and
 * deterministic; no network.
 *
 * Emote names are case-sensitive whole words, as the platforms define them ("Pog" is an emote,
 * "pog" is someone typing). Terms are lower-cased, NFKC-normalised content words: stop words
 * (English and a few other common chat languages), chat filler ("lol", "chat", "gg") and
 * laughter ("hahaha", "xD") are left out, as are numbers, mentions, links and commands.
 */

import type { Message } from "@chorus/protocol";
import * as linkify from "linkifyjs";
import { eng, fra, ita, jpn, kor, por, rus, spa, ukr, zho } from "stopword";

/**
 * Global emotes every chatter has (Twitch, BTTV, FFZ, 7TV): they count as emotes even when the
 * platform did not mark them.
 */
export const GLOBAL_EMOTES: ReadonlySet<string> = new Set([
  "KEKW",
  "LUL",
  "OMEGALUL",
  "Pog",
  "PogChamp",
  "POGGERS",
  "Kappa",
  "monkaS",
  "PepeHands",
  "Sadge",
  "FeelsBadMan",
  "FeelsGoodMan",
  "4Head",
  "ResidentSleeper",
  "BibleThump",
  "NotLikeThis",
  "WutFace",
  "Jebaited",
  "Clap",
  "catJAM",
  "EZ",
  "LULW",
  "PogU",
  "KEKL",
  "pepeD",
  "PepeLaugh",
  "HYPERS",
  "monkaW",
  "Copium",
]);

// Words of other languages' lists that are English content words, or gaming words
// ("EU"/"NA" servers, "AI", "ad"), and so must stay terms.
const FOREIGN_KEEP = new Set(["ad", "ai", "con", "sin", "son", "sue", "era", "dove", "eu", "na", "contra", "solo"]);

// stopword's English list is short (108 words): chat needs contractions, pronouns and negations too.
const ENGLISH_EXTRA = `
  a i im i'm ive i've id i'd ill i'll me myself mine you're youre you've you'll you'd yours yourself u ur
  she she's shes hers herself it it's its itself we're we've we'll ours ourselves they're theyre they've
  theirs themselves he's hes that's thats what's whats who's there's theres here's let's lets
  not no nor don't dont doesn't doesnt didn't didnt isn't isnt aren't arent wasn't wasnt weren't werent
  won't wont wouldn't wouldnt can't cant cannot couldn't couldnt shouldn't shouldnt haven't havent
  hasn't hasnt hadn't hadnt ain't aint will shall does doing done having gonna wanna gotta kinda sorta
  yes yeah yea yep yup ya nah nope ok okay k oh ah uh um hmm hm eh wow whoa oops
  just really actually literally basically probably maybe even already again ever always every
  also though tho yet so very quite pretty bit lot lots thing things stuff something anything
  nothing everything someone anyone everyone somebody anybody nobody one ones why when whom whose
  against above below down off once further few own same than too s t d ll m o re ve y
  get gets getting got go goes going gone went know knew think thought see saw seen look looking
  say says saying said tell told want need let put today tonight
`;

// Chat filler: reactions and greetings that say nothing about what chat talks about.
const CHAT_FILLER = `
  lol lool lmao lmfao rofl xd omg wtf wth smh ikr idk imo imho tbh ngl fr rn btw pls plz ty thx
  thanks thank chat chatters chatter guys guy bro bruh dude fam gg ggs gl hf wp hi hello hey heya yo sup
  bye cya gn streamer
`;

// A few German function words (the library's German list also holds words such as "will",
// "war", "man" and "hat", which English chat uses as content words).
const GERMAN =
  "der das und ist ich nicht ein eine einen zu den es mit sich auf für dem des von sie wir ihr er was wie noch auch aber ja nein doch mal schon nur hier dann jetzt oder wenn";

function words(list: string): string[] {
  return list.split(/\s+/u).filter((w) => w.length > 0);
}

const STOP_WORDS: ReadonlySet<string> = new Set([
  ...eng,
  ...[spa, por, fra, ita].flat().filter((w) => !FOREIGN_KEEP.has(w)),
  ...rus,
  ...ukr,
  ...jpn,
  ...zho,
  ...kor,
  ...words(GERMAN),
  ...words(ENGLISH_EXTRA),
  ...words(CHAT_FILLER),
  // Typed without the emote ("kekw", "pog"): a reaction, not a topic.
  ...[...GLOBAL_EMOTES].map((e) => e.toLowerCase()),
  "kek",
  "pogchamp",
  "poggies",
]);

// Laughter in several languages once letter runs are collapsed: haha, hehe, jaja, ahah, lol…
const LAUGHTER = /^(?:[aeiou]?(?:[hjk][aeiou])+h?|(?:lo)+l|l+m+f?a+o+|xd+|kek+w?|ww+|k+|草+)$/u;

/** Lower-cased stop word, chat filler or laughter? (Takes a term as `terms` makes it.) */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word) || LAUGHTER.test(word);
}

/** An emote name, either global, one the caller knows (the channel's own, the platform's marks), or neither. */
export function isEmoteToken(token: string, customEmotes?: ReadonlySet<string>): boolean {
  return GLOBAL_EMOTES.has(token) || (customEmotes?.has(token) ?? false);
}

/** A chat command ("!uptime", "!so @someone"): a line addressed to a bot. */
export function isCommand(text: string): boolean {
  return /^\s*!\p{L}/u.test(text);
}

// linkify costs tens of µs; a link needs a dot before a letter or "://".
const MAYBE_LINK = /[\p{L}\p{N}][.。．｡]\p{L}|:\/\//u;

/** A URL or bare domain, as linkify sees it. */
export function hasLink(text: string): boolean {
  return MAYBE_LINK.test(text) && linkify.find(text, "url").length > 0;
}

const GRAPHEMES = new Intl.Segmenter("en", { granularity: "grapheme" });
// ICU's word breaker also splits scripts without spaces (Japanese, Chinese, Thai) into words.
const WORDS = new Intl.Segmenter("en", { granularity: "word" });
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
// Pictographic in Unicode's tables, but typed as text.
const TEXT_SYMBOLS = new Set(["©", "®", "™"]);
// Skin tones and the emoji presentation selector: 👍🏽 and 👍 are one emoji to count.
const EMOJI_VARIANTS = /[\u{1F3FB}-\u{1F3FF}\u{FE0F}]/gu;

/** The emoji in `text`, in order, skin tones removed so that variants count as one. */
export function emojis(text: string): string[] {
  if (!/[^\p{ASCII}]/u.test(text)) return [];
  const out: string[] = [];
  for (const { segment } of GRAPHEMES.segment(text)) {
    if (PICTOGRAPHIC.test(segment) && !TEXT_SYMBOLS.has(segment))
      out.push(segment.replace(EMOJI_VARIANTS, "") || segment);
  }
  return out;
}

export type TokenKind = "word" | "emote" | "emoji" | "mention" | "link" | "command";

/**
 * One piece of a line. `text` is as written; for a word, `term` is its lower-cased normal
 * form, or absent when it is a stop word, filler, laughter or a number.
 */
export interface Token {
  kind: TokenKind;
  text: string;
  term?: string;
}

/** Everything a caller may know to be an emote beyond the global ones. */
function emoteSetOf(message: Pick<Message, "emotes">, customEmotes?: ReadonlySet<string>): ReadonlySet<string> {
  const marked = message.emotes;
  if (marked === undefined || marked.length === 0) return customEmotes ?? EMPTY;
  const set = new Set(customEmotes);
  for (const e of marked) set.add(e.name);
  return set;
}
const EMPTY: ReadonlySet<string> = new Set();

function normaliseWord(word: string): string {
  return (
    word
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[’ʼ]/gu, "'")
      // "sooooo" and "so", "yessss" and "yes": one word to count.
      .replace(/(\p{L})\1{2,}/gu, "$1")
      .replace(/'s$/u, "")
  );
}

function toTerm(word: string): string | undefined {
  const w = normaliseWord(word);
  if ([...w].length < 2 || /^[\p{N}\p{P}]+$/u.test(w) || isStopWord(w)) return undefined;
  return w;
}

/**
 * The line's tokens in order: emotes (global, `customEmotes`, or marked in `message.emotes`),
 * emoji, mentions, links, the command word of a command line, and words. Punctuation is dropped.
 *
 * Messages are immutable, and an analyser asks about one several times (its terms, its emotes):
 * the tokens of the last call for a message object are kept with it (weakly), for the same text
 * and the same `customEmotes` set. Treat the returned array as read-only.
 */
export function tokens(
  message: Pick<Message, "text" | "emotes">,
  customEmotes?: ReadonlySet<string>,
): readonly Token[] {
  const cached = TOKENS.get(message);
  if (cached !== undefined && cached.text === message.text && sameSet(cached.custom, customEmotes))
    return cached.tokens;
  const found = tokenise(message, customEmotes);
  TOKENS.set(message, { text: message.text, custom: customEmotes, tokens: found });
  return found;
}

/**
 * The same emote names, whichever set object holds them: the summariser builds its own set
 * from a list, and a miss here re-tokenises its whole window (100 lines) every summary.
 */
function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === b) return true;
  const size = a?.size ?? 0;
  if (size !== (b?.size ?? 0)) return false;
  if (size === 0 || !a || !b) return size === 0;
  for (const name of a) if (!b.has(name)) return false;
  return true;
}

const TOKENS = new WeakMap<
  object,
  { text: string; custom: ReadonlySet<string> | undefined; tokens: readonly Token[] }
>();

function tokenise(message: Pick<Message, "text" | "emotes">, customEmotes?: ReadonlySet<string>): Token[] {
  const emotes = emoteSetOf(message, customEmotes);
  const out: Token[] = [];
  const chunks = message.text.split(/\s+/u).filter((c) => c.length > 0);
  chunks.forEach((chunk, i) => {
    if (isEmoteToken(chunk, emotes)) out.push({ kind: "emote", text: chunk });
    else if (i === 0 && isCommand(chunk)) out.push({ kind: "command", text: chunk.toLowerCase() });
    else if (/^@\w/u.test(chunk)) out.push({ kind: "mention", text: chunk });
    else if (hasLink(chunk)) out.push({ kind: "link", text: chunk });
    else wordTokens(chunk, out);
  });
  return out;
}

function word(text: string): Token {
  const term = toTerm(text);
  return term === undefined ? { kind: "word", text } : { kind: "word", text, term };
}

// Most chat is ASCII, which needs no dictionary to split (and ICU costs ~15 µs a line).
const ASCII = /^[\x21-\x7e]+$/u;
const ASCII_WORD = /[A-Za-z0-9_]+(?:['][A-Za-z0-9_]+)*/gu;

function wordTokens(chunk: string, out: Token[]): void {
  if (ASCII.test(chunk)) {
    for (const [w] of chunk.matchAll(ASCII_WORD)) out.push(word(w));
    return;
  }
  for (const { segment, isWordLike } of WORDS.segment(chunk)) {
    if (isWordLike) out.push(word(segment));
    else for (const emoji of emojis(segment)) out.push({ kind: "emoji", text: emoji });
  }
}

/** The line's content words, lower-cased, in order (repeats kept). A command line has none. */
export function terms(message: Pick<Message, "text" | "emotes">, customEmotes?: ReadonlySet<string>): string[] {
  if (isCommand(message.text)) return [];
  const out: string[] = [];
  for (const t of tokens(message, customEmotes)) if (t.term !== undefined) out.push(t.term);
  return out;
}

/** The line's emotes and emoji, in order (repeats kept). */
export function emoteNames(message: Pick<Message, "text" | "emotes">, customEmotes?: ReadonlySet<string>): string[] {
  return tokens(message, customEmotes)
    .filter((t) => t.kind === "emote" || t.kind === "emoji")
    .map((t) => t.text);
}

/** Nothing but emotes and emoji (and punctuation): a reaction, not something said. */
export function isEmoteOnly(message: Pick<Message, "text" | "emotes">, customEmotes?: ReadonlySet<string>): boolean {
  const all = tokens(message, customEmotes);
  return all.length > 0 && all.every((t) => t.kind === "emote" || t.kind === "emoji");
}

/**
 * A line's identity for spotting repeats (copypasta, the same question asked twice): case,
 * spacing and trailing punctuation ignored.
 */
export function lineKey(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/gu, " ")
    .replace(/[\s\p{P}]+$/u, "")
    .trim();
}

/**
 * A line's distinct content words, and its distinct pairs of content words said next to each
 * other ("boss fight" in "that boss fight"; a stop word or an emote between them breaks a pair).
 * A command line has none.
 */
export function contentTerms(
  message: Pick<Message, "text" | "emotes">,
  customEmotes?: ReadonlySet<string>,
  exclude?: ReadonlySet<string>,
): { terms: Set<string>; pairs: Set<string> } {
  const found = { terms: new Set<string>(), pairs: new Set<string>() };
  if (isCommand(message.text)) return found;
  let previous: string | undefined;
  for (const t of tokens(message, customEmotes)) {
    const term = t.term !== undefined && !exclude?.has(t.term) ? t.term : undefined;
    if (term !== undefined) {
      found.terms.add(term);
      if (previous !== undefined && previous !== term) found.pairs.add(`${previous} ${term}`);
    }
    previous = term;
  }
  return found;
}

export interface TermCount {
  term: string;
  /** Messages using it. */
  count: number;
  /** Distinct authors using it: what ranks it, so that one spammer cannot set the topic. */
  authors: number;
}

export interface EmoteCount {
  name: string;
  /** Messages using it (a line of ten KEKW is one reaction). */
  count: number;
  authors: number;
}

/** What the counting functions need of a message. */
export type ChatLine = Pick<Message, "text" | "emotes"> & { author: Pick<Message["author"], "id"> };

export interface TopOptions {
  /** The channel's own emote names. */
  customEmotes?: ReadonlySet<string> | readonly string[];
  /** How many to return; default 10. */
  limit?: number;
  /** Terms to leave out (lower-case), such as the channel's name. */
  exclude?: ReadonlySet<string>;
  /**
   * Also count two content words said next to each other ("boss fight") by at least two
   * authors; such a pair replaces its words when it accounts for most of their use.
   */
  bigrams?: boolean;
}

function toSet(emotes: TopOptions["customEmotes"]): ReadonlySet<string> | undefined {
  if (emotes === undefined) return undefined;
  return emotes instanceof Set ? emotes : new Set(emotes);
}

interface Entry {
  count: number;
  authors: Set<string>;
}

class Tally {
  private readonly entries = new Map<string, Entry>();
  add(key: string, author: string): void {
    const entry = this.entries.get(key) ?? { count: 0, authors: new Set<string>() };
    entry.count += 1;
    entry.authors.add(author);
    this.entries.set(key, entry);
  }
  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }
  set(key: string, entry: Entry): void {
    this.entries.set(key, entry);
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  keys(): string[] {
    return [...this.entries.keys()];
  }
  /** Merges `from` into `into` (authors as a union). */
  merge(from: string, into: string): void {
    const a = this.entries.get(from);
    const b = this.entries.get(into);
    if (a === undefined || b === undefined || a === b) return;
    b.count += a.count;
    for (const x of a.authors) b.authors.add(x);
    this.entries.delete(from);
  }
  ranked(): { key: string; count: number; authors: number }[] {
    return [...this.entries]
      .map(([key, e]) => ({ key, count: e.count, authors: e.authors.size }))
      .sort((x, y) => y.authors - x.authors || y.count - x.count || compare(x.key, y.key));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The most used content words of `messages`, ranked by distinct authors, then messages, then
 * alphabetically. A message counts each term once; a plural ("swords") joins its singular
 * ("sword") when both occur.
 */
export function topTerms(messages: readonly ChatLine[], options: TopOptions = {}): TermCount[] {
  const custom = toSet(options.customEmotes);
  const unigrams = new Tally();
  const pairs = new Tally();
  for (const m of messages) {
    const { terms: seen, pairs: seenPairs } = contentTerms(m, custom, options.exclude);
    for (const term of seen) unigrams.add(term, m.author.id);
    for (const pair of seenPairs) pairs.add(pair, m.author.id);
  }
  for (const term of unigrams.keys()) {
    const singular = term.endsWith("s") && !term.endsWith("ss") ? term.slice(0, -1) : undefined;
    if (singular !== undefined && unigrams.get(singular) !== undefined) unigrams.merge(term, singular);
  }
  if (options.bigrams === true) foldBigrams(unigrams, pairs);
  return unigrams
    .ranked()
    .slice(0, options.limit ?? 10)
    .map(({ key, count, authors }) => ({ term: key, count, authors }));
}

function foldBigrams(unigrams: Tally, pairs: Tally): void {
  for (const { key, authors } of pairs.ranked()) {
    if (authors < 2) break;
    const [a, b] = key.split(" ") as [string, string];
    const ua = unigrams.get(a);
    const ub = unigrams.get(b);
    // Both words still there (not taken by an earlier pair) and mostly said together: the
    // pair stands for them, with its own figures (their union would count lines with one alone).
    if (ua === undefined || ub === undefined) continue;
    if (authors * 2 < Math.max(ua.authors.size, ub.authors.size)) continue;
    unigrams.delete(a);
    unigrams.delete(b);
    const pair = pairs.get(key);
    if (pair !== undefined) unigrams.set(key, pair);
  }
}

/**
 * The most used emotes and emoji of `messages`, ranked by messages, then distinct authors, then
 * name. A message counts each emote once.
 */
export function topEmotes(
  messages: readonly ChatLine[],
  options: Omit<TopOptions, "bigrams" | "exclude"> = {},
): EmoteCount[] {
  const custom = toSet(options.customEmotes);
  const tally = new Tally();
  for (const m of messages) for (const name of new Set(emoteNames(m, custom))) tally.add(name, m.author.id);
  return tally
    .ranked()
    .sort((x, y) => y.count - x.count || y.authors - x.authors || compare(x.key, y.key))
    .slice(0, options.limit ?? 10)
    .map(({ key, count, authors }) => ({ name: key, count, authors }));
}
