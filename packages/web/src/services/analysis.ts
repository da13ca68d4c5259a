/**
 * The live analysis over the SDK: the stats, summaries and highlights endpoints (through the
 * client's generic `request`: the SDK has no helpers for them yet), the `stats` and `summary`
 * events the channel feed hands over, the emote images learnt from messages, and the reader's
 * analysis preferences.
 */
import type { ChannelStats, Highlight, Message } from "@chorus/protocol";
import { EMOTE_URLS_MAX, learnEmoteUrls, type StoredSummary, SUMMARIES_KEPT } from "../lib/analysis";
import { analysisActions, CATCH_UP_KEY, SENTIMENT_COLORS_KEY, useAnalysis } from "../store/analysis";
import { client } from "./client";

const path = (channel: string, rest: string): string => `/api/channels/${encodeURIComponent(channel)}${rest}`;

export const fetchStats = (channel: string): Promise<ChannelStats> =>
  client.request<ChannelStats>("GET", path(channel, "/stats"));

export async function fetchSummaries(channel: string, limit: number = SUMMARIES_KEPT): Promise<StoredSummary[]> {
  return (await client.request<{ summaries: StoredSummary[] }>("GET", path(channel, `/summaries?limit=${limit}`)))
    .summaries;
}

export async function fetchHighlights(channel: string, broadcastId: string): Promise<Highlight[]> {
  const rest = `/broadcasts/${encodeURIComponent(broadcastId)}/highlights`;
  return (await client.request<{ highlights: Highlight[] }>("GET", path(channel, rest))).highlights;
}

const isOpen = (channel: string): boolean => useAnalysis.getState().channel === channel;

/**
 * Seeds the open channel's analysis: the current stats (the charts' first point) and, unless
 * `summaries` is 0, that many latest summaries. Failures leave the page to the live events.
 */
export function seedAnalysis(channel: string, { stats = true, summaries = SUMMARIES_KEPT } = {}): void {
  if (stats)
    fetchStats(channel).then(
      (s) => isOpen(channel) && analysisActions.pushStats(s),
      () => {},
    );
  if (summaries > 0)
    fetchSummaries(channel, summaries).then(
      (list) => isOpen(channel) && analysisActions.addSummaries(list),
      () => {},
    );
}

// ---- from the channel feed -------------------------------------------------------------------

export function onStats(stats: ChannelStats): void {
  analysisActions.pushStats(stats);
  for (const q of stats.questions) if (q.emotes) learnEmoteUrls(emoteUrls, q.emotes);
}

export function onSummary(seq: number, at: number, data: { text: string; fromSeq: number; toSeq: number }): void {
  analysisActions.addSummaries([{ seq, at, ...data }]);
}

/**
 * Emote name → https image, from the messages the page received: the dashboard's top emotes
 * show images for names it has seen. A plain Map, not state: a message costs no re-render.
 */
const emoteUrls = new Map<string, string>();

/** Called for every message: one property check unless the message carries platform emotes. */
export function noteEmotes(message: Pick<Message, "emotes">): void {
  if (message.emotes !== undefined) learnEmoteUrls(emoteUrls, message.emotes, EMOTE_URLS_MAX);
}

export const emoteUrl = (name: string): string | undefined => emoteUrls.get(name);

export function resetAnalysis(channel: string): void {
  emoteUrls.clear();
  analysisActions.open(channel);
}

// ---- preferences -----------------------------------------------------------------------------

function setFlag(key: "catchUp" | "sentimentColors", storageKey: string, on: boolean): void {
  analysisActions.setFlag(key, on);
  try {
    window.localStorage.setItem(storageKey, on ? "on" : "off");
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}

export const setCatchUp = (on: boolean): void => setFlag("catchUp", CATCH_UP_KEY, on);
export const setSentimentColors = (on: boolean): void => setFlag("sentimentColors", SENTIMENT_COLORS_KEY, on);
