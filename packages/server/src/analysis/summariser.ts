/**
 * The local, extractive chat summary: a few English sentences about a window of chat — how many
 * people, the mood, what they keep talking about with one line of theirs that sums it up, and
 * what they ask. Deterministic and offline; the fallback whenever a model is not used.
 *
 * Everything quoted is text of the window's own messages; usernames are not named (mentions are
 * cut from quotes, and authors' names never count as topics).
 */
import type { Message } from "@chorus/protocol";
import {
  contentTerms,
  emoteNames,
  hasLink,
  isCommand,
  isEmoteOnly,
  lineKey,
  type TermCount,
  tokens,
  topEmotes,
  topTerms,
} from "./text-features.js";

export interface SummaryInput {
  channel: string;
  /** Published messages of the window, ascending seq; already without held, rejected or deleted ones. */
  messages: readonly Message[];
  /** The channel's own emote names (so they count as emotes, not words). */
  customEmotes?: readonly string[];
}

/** The longest summary, in characters; sentences that would pass it are left out. */
export const MAX_SUMMARY_CHARS = 400;
const QUOTE_CHARS = 90;
const QUESTION_CHARS = 70;
const MAX_SENTENCES = 4;

const LAUGH_EMOTES = new Set(["KEKW", "LUL", "OMEGALUL", "LULW", "KEKL", "PepeLaugh", "4Head", "😂", "🤣"]);
const HYPE_EMOTES = new Set(["Pog", "PogChamp", "POGGERS", "PogU", "HYPERS", "Clap", "catJAM", "pepeD", "EZ", "🔥"]);
const SAD_EMOTES = new Set(["PepeHands", "Sadge", "FeelsBadMan", "BibleThump", "NotLikeThis", "😢"]);
const FEAR_EMOTES = new Set(["monkaS", "monkaW", "WutFace", "😱"]);
const BORED_EMOTES = new Set(["ResidentSleeper", "😴"]);

/** One message as the summary sees it, worked out once. */
interface Line {
  message: Message;
  index: number;
  command: boolean;
  link: boolean;
  emoteOnly: boolean;
  question: boolean;
  emotes: Set<string>;
  terms: Set<string>;
  pairs: Set<string>;
  key: string;
  words: number;
  /** Says a chatter's name: not to be quoted. */
  naming: boolean;
}

/** Deterministic, local, no network: readable English sentences, not a bag of words. */
export function summariseLocally(input: SummaryInput): string {
  const custom = new Set(input.customEmotes ?? []);
  const messages = input.messages.filter((m) => m.deleted !== true && m.text.trim().length > 0);
  if (messages.length === 0) return "No chat to summarise.";

  const names = new Set<string>();
  for (const m of messages) {
    names.add(m.author.username.toLowerCase());
    names.add(m.author.displayName.toLowerCase());
  }
  // The streamer's name is no topic either, but a line that says it may be quoted.
  const notTopics = new Set([...names, input.channel.toLowerCase()]);
  const lines = messages.map((message, index) => describe(message, index, custom, names, notTopics));
  const people = new Set(messages.map((m) => m.author.id)).size;
  const header = `Chat (${plural(messages.length, "message")} from ${plural(people, "person", "people")})`;

  const pasta = copypasta(lines);
  const talk = lines.filter((l) => !l.command && (pasta === undefined || l.key !== pasta.key));
  const minAuthors = people >= 3 ? 2 : 1;
  const topics = topTerms(
    talk.map((l) => l.message),
    { customEmotes: custom, exclude: notTopics, bigrams: true, limit: 10 },
  ).filter((t) => t.authors >= minAuthors);
  const emotes = topEmotes(messages, { customEmotes: custom, limit: 3 });
  const mood = moodOf(lines);
  const commands = lines.filter((l) => l.command);
  const emoteOnly = lines.filter((l) => l.emoteOnly);

  const mostlyCommands = commands.length >= lines.length * 0.6;
  const mostlyEmotes =
    !mostlyCommands && (emoteOnly.length >= lines.length * 0.6 || (topics.length === 0 && emoteOnly.length > 0));
  const questions = notableQuestions(lines);
  const quote = representative(talk, topics, questions, people);
  const shown = listOf(topics.slice(0, 3).map((t) => `"${t.term}"`));
  // Each entry lists a sentence's variants, longest first; the first that fits is used.
  const topicVariants = shown === "" ? [] : quote === undefined ? [""] : [`, as in "${quote}"`, ""];

  const sentences: string[] = [];
  const later: string[][] = [];
  if (mostlyCommands) {
    sentences.push(`${header} is mostly bot commands: ${commandList(commands)}.`);
    if (mood !== undefined) sentences.push(`The rest is ${mood}.`);
    later.push(topicVariants.map((q) => `Besides, talk is about ${shown}${q}.`));
  } else if (mostlyEmotes) {
    sentences.push(`${header} is mostly emotes: ${listOf(emotes.map((e) => `${e.name} ×${e.count}`))}.`);
    if (mood !== undefined) sentences.push(`The mood is ${mood}.`);
    later.push(topicVariants.map((q) => `Between them, talk is about ${shown}${q}.`));
  } else if (mood === undefined) {
    // Nothing to say about the mood (no sentiment readings, no telling emotes): the topics open.
    const opening = topicVariants.map((q) => `${header} keeps coming back to ${shown}${q}.`);
    sentences.push(opening.find((o) => o.length <= MAX_SUMMARY_CHARS) ?? `${header} has no clear topic.`);
  } else {
    const top = emotes.filter((e) => e.authors >= 2).slice(0, 2);
    const emoteClause =
      top.length === 0
        ? ""
        : `, with ${listOf(top.map((e) => e.name))} the top ${top.length === 1 ? "emote" : "emotes"}`;
    sentences.push(`${header} is ${mood}${emoteClause}.`);
    later.push(
      shown === "" ? ["No topic stands out."] : topicVariants.map((q) => `Talk keeps coming back to ${shown}${q}.`),
    );
  }
  later.push(questionSentence(questions));
  if (pasta !== undefined)
    later.push([`${pasta.authors} people pasted the same line: "${clip(pasta.text, QUOTE_CHARS)}".`]);
  if (commands.length >= 3 && !mostlyCommands) later.push([`Bot commands: ${commandList(commands)}.`]);

  // Most important first; each sentence goes in whole or not at all.
  for (const variants of later) {
    if (sentences.length >= MAX_SENTENCES) break;
    const used = sentences.join(" ").length;
    const fit = variants.find((v) => used + 1 + v.length <= MAX_SUMMARY_CHARS);
    if (fit !== undefined) sentences.push(fit);
  }
  return sentences.join(" ");
}

function describe(
  message: Message,
  index: number,
  custom: ReadonlySet<string>,
  names: ReadonlySet<string>,
  notTopics: ReadonlySet<string>,
): Line {
  const all = tokens(message, custom);
  const { terms, pairs } = contentTerms(message, custom, notTopics);
  const text = message.text.trim();
  const command = isCommand(text);
  // A question is what the analyser tagged as one, or a line that ends with "?" before its emotes.
  const question =
    !command && (message.sentiment?.tags.includes("question") === true || endsWithQuestionMark(message, custom));
  return {
    message,
    index,
    command,
    link: hasLink(text),
    emoteOnly: isEmoteOnly(message, custom),
    question,
    emotes: new Set(emoteNames(message, custom)),
    terms,
    pairs,
    key: lineKey(text),
    words: all.filter((t) => t.kind === "word").length,
    // Stop words are left out: a chatter called "i" or "the" names no one.
    naming: all.some((t) => t.term !== undefined && names.has(t.term)),
  };
}

function endsWithQuestionMark(message: Message, custom: ReadonlySet<string>): boolean {
  const chunks = message.text.trim().split(/\s+/u);
  while (chunks.length > 1 && isEmoteOnly({ text: chunks.at(-1) ?? "", emotes: message.emotes }, custom)) chunks.pop();
  return chunks.at(-1)?.endsWith("?") === true;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function commandList(commands: readonly Line[]): string {
  const counts = new Map<string, number>();
  for (const l of commands) {
    const name = l.message.text.trim().split(/\s+/u)[0]?.toLowerCase() ?? "";
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
  return listOf(ranked.map(([name, n]) => `${clip(name, 30)} ×${n}`));
}

/**
 * The mood in a few words, from the analyser's labels and tags and from reaction emotes
 * (which also carry it for messages the analyser did not read); undefined with no signal at all.
 */
function moodOf(lines: readonly Line[]): string | undefined {
  const n = lines.length;
  const share = (test: (l: Line) => boolean) => lines.filter(test).length / n;
  const hasAny = (l: Line, set: ReadonlySet<string>) => [...l.emotes].some((e) => set.has(e));
  const hype = share((l) => l.message.sentiment?.tags.includes("hype") === true || hasAny(l, HYPE_EMOTES));
  const laugh = share((l) => l.message.sentiment?.tags.includes("humor") === true || hasAny(l, LAUGH_EMOTES));
  const sad = share((l) => hasAny(l, SAD_EMOTES));
  const fear = share((l) => hasAny(l, FEAR_EMOTES));
  const bored = share((l) => hasAny(l, BORED_EMOTES));

  const scored = lines.filter((l) => l.message.sentiment !== undefined);
  let tone: string | undefined;
  if (scored.length >= Math.max(3, n * 0.3)) {
    const pos = scored.filter((l) => l.message.sentiment?.label === "positive").length / scored.length;
    const neg = scored.filter((l) => l.message.sentiment?.label === "negative").length / scored.length;
    if (neg >= 0.35 && neg >= pos * 1.5) tone = fear >= 0.15 ? "tense" : sad >= 0.15 ? "sad" : "frustrated";
    else if (pos >= 0.6 && neg < 0.15) tone = "upbeat";
    else if (pos >= 0.3 && pos >= neg * 2) tone = "mostly upbeat";
    else if (neg >= 0.25 && neg >= pos * 2) tone = "somewhat frustrated";
    else if (pos >= 0.2 && neg >= 0.2) tone = "mixed";
    else tone = "calm";
  } else if (fear >= 0.2) tone = "tense";
  else if (sad >= 0.2) tone = "sad";
  if (bored >= 0.2 && (tone === undefined || tone === "calm")) tone = "bored";

  const flavour = [hype >= 0.2 ? "hyped" : undefined, laugh >= 0.2 ? "laughing" : undefined].filter(
    (f): f is string => f !== undefined,
  );
  if (flavour.length === 0) return tone;
  const lively = flavour.join(" and ");
  if (tone === undefined || tone === "calm") return lively;
  if (tone === "upbeat" || tone === "mostly upbeat") return `${lively} and ${tone}`;
  if (tone === "mixed") return `${lively} but mixed`;
  return `${tone}, though also ${lively}`;
}

/** A line that many people posted word for word (at least three, and long enough to be a copypasta). */
function copypasta(lines: readonly Line[]): { key: string; text: string; authors: number } | undefined {
  const byKey = new Map<string, { text: string; authors: Set<string> }>();
  for (const l of lines) {
    // Short lines said by many are chat agreeing ("lag again"); questions are reported as such.
    if (l.command || l.emoteOnly || l.question || l.words < 4 || l.key.length < 25) continue;
    if (l.naming || l.message.sentiment?.tags.includes("insult") === true) continue;
    const entry = byKey.get(l.key) ?? { text: quoteText(l.message.text), authors: new Set<string>() };
    entry.authors.add(l.message.author.id);
    byKey.set(l.key, entry);
  }
  let best: { key: string; text: string; authors: number } | undefined;
  for (const [key, e] of byKey) {
    if (e.authors.size >= 3 && (best === undefined || e.authors.size > best.authors)) {
      best = { key, text: e.text, authors: e.authors.size };
    }
  }
  return best;
}

/**
 * The line that best covers the topics (a centroid-like score: the topic weight it carries,
 * over the square root of how many words it has), quoted. Lines by someone who posted a large
 * share of the window, links, emote-only lines, questions, insults and lines that name a
 * chatter are not candidates.
 */
function representative(
  talk: readonly Line[],
  topics: readonly TermCount[],
  questions: readonly Question[],
  people: number,
): string | undefined {
  if (topics.length === 0) return undefined;
  const weight = new Map(topics.map((t) => [t.term, t.authors]));
  const posted = new Map<string, number>();
  for (const l of talk) posted.set(l.message.author.id, (posted.get(l.message.author.id) ?? 0) + 1);
  const spamLimit = Math.max(3, talk.length * 0.2);
  const asked = new Set(questions.map((q) => q.key));
  let best: { line: Line; score: number; text: string } | undefined;
  for (const l of talk) {
    if (l.link || l.emoteOnly || l.naming || l.question || asked.has(l.key) || l.terms.size === 0) continue;
    if (l.message.sentiment?.tags.includes("insult") === true) continue;
    if (people > 2 && (posted.get(l.message.author.id) ?? 0) > spamLimit) continue;
    const text = quoteText(l.message.text);
    if (text.length < 8) continue;
    // A topic pair stands for its two words: it counts once, in the weight and in the length.
    let carried = 0;
    let size = l.terms.size;
    for (const pair of l.pairs) {
      const w = weight.get(pair);
      if (w !== undefined) {
        carried += w;
        size -= 1;
      }
    }
    for (const term of l.terms) carried += weight.get(term) ?? weight.get(singular(term)) ?? 0;
    if (carried === 0) continue;
    // Lines addressed to someone are one side of a conversation, not the room's voice.
    const addressed = l.message.text.includes("@") ? 0.8 : 1;
    const tooLong = text.length > QUOTE_CHARS ? 0.7 : 1;
    const score = (carried / Math.sqrt(Math.max(1, size))) * addressed * tooLong;
    if (best === undefined || score > best.score || (score === best.score && text.length < best.text.length)) {
      best = { line: l, score, text };
    }
  }
  return best && clip(best.text, QUOTE_CHARS);
}

function singular(term: string): string {
  return term.endsWith("s") && !term.endsWith("ss") ? term.slice(0, -1) : term;
}

interface Question {
  key: string;
  text: string;
  authors: number;
  lastIndex: number;
}

/** Up to two distinct questions: the most asked (by distinct authors), then the most recent. */
function notableQuestions(lines: readonly Line[]): Question[] {
  const byKey = new Map<string, { text: string; authors: Set<string>; lastIndex: number }>();
  for (const l of lines) {
    if (!l.question || l.link || l.naming || l.words < 2) continue;
    if (l.message.sentiment?.tags.includes("insult") === true) continue;
    const text = quoteText(l.message.text);
    if (text.length < 6) continue;
    const entry = byKey.get(l.key) ?? { text, authors: new Set<string>(), lastIndex: l.index };
    entry.authors.add(l.message.author.id);
    entry.lastIndex = l.index;
    byKey.set(l.key, entry);
  }
  return [...byKey]
    .map(([key, e]) => ({ key, text: e.text, authors: e.authors.size, lastIndex: e.lastIndex }))
    .sort((a, b) => b.authors - a.authors || b.lastIndex - a.lastIndex)
    .slice(0, 2);
}

function questionSentence(questions: readonly Question[]): string[] {
  if (questions.length === 0) return [];
  const quoted = questions.map(
    (q) => `"${clip(q.text, QUESTION_CHARS)}"${q.authors > 1 ? ` (asked by ${q.authors} people)` : ""}`,
  );
  const all = `People ask ${listOf(quoted)}.`;
  // If both do not fit, the most asked alone may.
  return quoted.length > 1 ? [all, `People ask ${quoted[0]}.`] : [all];
}

/** A message as it may be quoted: mentions cut (no usernames), spacing collapsed, double quotes made single. */
function quoteText(text: string): string {
  return text
    .split(/\s+/u)
    .filter((w) => w.length > 0 && !/^@\w/u.test(w))
    .join(" ")
    .replace(/["“”]/gu, "'")
    .trim();
}

const GRAPHEMES = new Intl.Segmenter("en", { granularity: "grapheme" });

/** At most `max` characters, cut at a word boundary when one is near, without splitting an emoji; "…" marks the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = "";
  for (const { segment } of GRAPHEMES.segment(text)) {
    if (kept.length + segment.length > max - 1) break;
    kept += segment;
  }
  const space = kept.lastIndexOf(" ");
  if (space >= max * 0.6) kept = kept.slice(0, space);
  return `${kept.replace(/[\s\p{P}]+$/u, "")}…`;
}
