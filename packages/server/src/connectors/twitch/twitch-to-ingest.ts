/**
 * What a Twitch chat line means for Chorus (pure): a PRIVMSG becomes an ingest item, a
 * CLEARMSG the deletion of one message, a CLEARCHAT a ban, a timeout or a cleared chat.
 * Tags as documented in Twitch's "IRC tags" reference; everything else is ignored.
 *
 * Items are made to fit the IngestItem schema (lengths, counts), dropping an optional field
 * rather than the message, so that one odd line cannot get a whole batch refused.
 */
import type { IngestEmote, IngestItem } from "@chorus/protocol";
import { type IrcMessage, prefixNick } from "./irc.js";

export type ClearTarget = { login: string; durationSec?: number } | null;

export type TwitchEvent =
  | { kind: "message"; channel: string; item: IngestItem }
  | { kind: "deleted"; channel: string; externalId: string }
  | { kind: "cleared"; channel: string; target: ClearTarget };

/** Emote images on Twitch's CDN (v2 works for old numeric ids and `emotesv2_…` ids alike). */
export function twitchEmoteUrl(id: string): string {
  return `https://static-cdn.jtvnw.net/emoticons/v2/${id}/default/dark/1.0`;
}

const EMOTE_ID = /^[A-Za-z0-9_]{1,100}$/;
const EMOTE_NAME_MAX = 100;
const EMOTES_MAX = 200;
const BADGES_MAX = 20;
const BADGE_MAX_CHARS = 64;
const ID_MAX_CHARS = 128;
const NAME_MAX_CHARS = 64;
const COLOR_MAX_CHARS = 32;
const SENT_AT_MAX = 8.64e15;

/** The channel a line is about (`#dallas` → `dallas`), or null. */
export function lineChannel(message: IrcMessage): string | null {
  const target = message.params[0];
  if (target === undefined || !target.startsWith("#") || target.length < 2) return null;
  return target.slice(1).toLowerCase();
}

/**
 * A `/me` message arrives as a CTCP ACTION: `\x01ACTION text\x01`. Its emote positions count
 * from the start of `text`, so the wrapper must go before they are applied.
 */
export function stripAction(text: string): { text: string; action: boolean } {
  const match = /^\u0001ACTION (.*?)\u0001?$/s.exec(text);
  return match === null ? { text, action: false } : { text: match[1]!, action: true };
}

/**
 * The `badges` tag as `name/version` strings, in Twitch's order. The subscriber badge's
 * version is a tier of months (`subscriber/12`); `badge-info` has the exact count
 * (`subscriber/14`), which replaces it.
 */
export function parseBadges(badges: string | undefined, badgeInfo: string | undefined): string[] {
  if (!badges) return [];
  let subscriberMonths: string | undefined;
  for (const info of (badgeInfo ?? "").split(",")) {
    const match = /^subscriber\/(\d{1,6})$/.exec(info);
    if (match !== null) subscriberMonths = String(Number(match[1]));
  }
  const out: string[] = [];
  for (const badge of badges.split(",")) {
    const slash = badge.indexOf("/");
    if (slash <= 0) continue;
    const name = badge.slice(0, slash);
    const value = name === "subscriber" && subscriberMonths !== undefined ? `subscriber/${subscriberMonths}` : badge;
    if (value.length <= BADGE_MAX_CHARS && !out.includes(value)) out.push(value);
    if (out.length === BADGES_MAX) break;
  }
  return out;
}

/**
 * The `emotes` tag (`<id>:<start>-<end>,<start>-<end>/<id>:…`; positions in code points,
 * inclusive) against the message text, ordered by position. A range outside the text, an
 * overlapping one or an id that is not a plain token is skipped.
 */
export function parseEmotes(tag: string | undefined, text: string): IngestEmote[] {
  if (!tag) return [];
  const codePoints = Array.from(text);
  const found: IngestEmote[] = [];
  for (const group of tag.split("/")) {
    const colon = group.indexOf(":");
    if (colon <= 0) continue;
    const id = group.slice(0, colon);
    if (!EMOTE_ID.test(id)) continue;
    for (const range of group.slice(colon + 1).split(",")) {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(range);
      if (match === null) continue;
      const start = Number(match[1]);
      const end = Number(match[2]);
      if (start > end || end >= codePoints.length) continue;
      const name = codePoints.slice(start, end + 1).join("");
      if (name.length > EMOTE_NAME_MAX || name.includes("\u0000")) continue;
      found.push({ name, start, end, url: twitchEmoteUrl(id) });
    }
  }
  found.sort((a, b) => a.start - b.start);
  const out: IngestEmote[] = [];
  for (const emote of found) {
    const previous = out.at(-1);
    if (previous !== undefined && emote.start <= previous.end) continue;
    out.push(emote);
    if (out.length === EMOTES_MAX) break;
  }
  return out;
}

function nonEmpty(value: string | undefined, maxChars: number): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" || trimmed.length > maxChars || trimmed.includes("\u0000") ? undefined : trimmed;
}

function parseMillis(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms <= SENT_AT_MAX ? ms : undefined;
}

/** A PRIVMSG as an ingest item; null when it lacks what an item needs (an id, an author). */
export function privmsgToIngest(message: IrcMessage): IngestItem | null {
  if (message.command !== "PRIVMSG" || message.params.length < 2) return null;
  const externalId = nonEmpty(message.tags.get("id"), ID_MAX_CHARS);
  const username = nonEmpty(prefixNick(message.prefix) ?? message.tags.get("login"), NAME_MAX_CHARS)?.toLowerCase();
  if (externalId === undefined || username === undefined) return null;
  // NUL is the one character the store cannot hold; Twitch has no business sending it.
  const { text } = stripAction(message.params.at(-1)!.replaceAll("\u0000", ""));
  const item: IngestItem = { externalId, username, text };
  const displayName = nonEmpty(message.tags.get("display-name"), NAME_MAX_CHARS);
  if (displayName !== undefined) item.displayName = displayName;
  const color = nonEmpty(message.tags.get("color"), COLOR_MAX_CHARS);
  if (color !== undefined) item.color = color;
  const badges = parseBadges(message.tags.get("badges"), message.tags.get("badge-info"));
  if (badges.length > 0) item.badges = badges;
  const sentAt = parseMillis(message.tags.get("tmi-sent-ts"));
  if (sentAt !== undefined) item.sentAt = sentAt;
  const emotes = parseEmotes(message.tags.get("emotes"), text);
  if (emotes.length > 0) item.emotes = emotes;
  const replyTo = nonEmpty(message.tags.get("reply-parent-msg-id"), ID_MAX_CHARS);
  if (replyTo !== undefined) item.replyTo = replyTo;
  item.firstMessage = message.tags.get("first-msg") === "1";
  return item;
}

/** A CLEARCHAT's target: a user (with the timeout's length, none for a ban) or, null, everyone. */
export function clearchatTarget(message: IrcMessage): ClearTarget {
  const login = nonEmpty(message.params[1], NAME_MAX_CHARS)?.toLowerCase();
  if (login === undefined) return null;
  const duration = message.tags.get("ban-duration");
  if (duration !== undefined && /^\d{1,10}$/.test(duration) && Number(duration) > 0) {
    return { login, durationSec: Number(duration) };
  }
  return { login };
}

/** What a line means for the mirror, or null when it means nothing to it. */
export function toTwitchEvent(message: IrcMessage): TwitchEvent | null {
  const channel = lineChannel(message);
  if (channel === null) return null;
  switch (message.command) {
    case "PRIVMSG": {
      const item = privmsgToIngest(message);
      return item === null ? null : { kind: "message", channel, item };
    }
    case "CLEARMSG": {
      const externalId = nonEmpty(message.tags.get("target-msg-id"), ID_MAX_CHARS);
      return externalId === undefined ? null : { kind: "deleted", channel, externalId };
    }
    case "CLEARCHAT":
      return { kind: "cleared", channel, target: clearchatTarget(message) };
    default:
      return null;
  }
}
