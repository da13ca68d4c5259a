/**
 * The sentiment analyser for stream chat (placeholder until the lexicon lands: every message
 * reads as neutral). Pure and synchronous: the worker pool runs it off the event loop.
 */
import type { Sentiment } from "@chorus/protocol";

export interface AnalyzeOptions {
  /** The channel's own emotes: name → polarity on the AFINN scale (-5 … 5). */
  customEmotes?: Readonly<Record<string, number>> | undefined;
}

export function analyzeSentiment(_text: string, _options: AnalyzeOptions = {}): Sentiment {
  return { label: "neutral", score: 0, tags: [] };
}
