/**
 * Turns one YouTube `liveChatMessage` resource (Data API v3, `liveChatMessages.list` with
 * `part=snippet,authorDetails`) into what the connector hands to the sink: a chat item, a
 * deletion or a ban. Pure: no I/O, no clock. Types not mirrored (polls, gifts, tombstones…)
 * give null.
 */
import type { IngestItem } from "@chorus/protocol";

/** The parts of a liveChatMessage we read; everything is optional because it comes off the wire. */
export interface YouTubeLiveChatMessage {
  kind?: string;
  id?: string;
  snippet?: {
    type?: string;
    liveChatId?: string;
    authorChannelId?: string;
    publishedAt?: string;
    hasDisplayContent?: boolean;
    displayMessage?: string;
    textMessageDetails?: { messageText?: string };
    messageDeletedDetails?: { deletedMessageId?: string };
    userBannedDetails?: {
      bannedUserDetails?: { channelId?: string; displayName?: string };
      banType?: string;
      /** uint64: the API sends it as a string. */
      banDurationSeconds?: string | number;
    };
    superChatDetails?: { amountDisplayString?: string; userComment?: string; currency?: string; tier?: number };
    superStickerDetails?: {
      amountDisplayString?: string;
      superStickerMetadata?: { altText?: string };
    };
    newSponsorDetails?: { memberLevelName?: string; isUpgrade?: boolean };
    memberMilestoneChatDetails?: { userComment?: string; memberMonth?: number; memberLevelName?: string };
  };
  authorDetails?: {
    channelId?: string;
    displayName?: string;
    isVerified?: boolean;
    isChatOwner?: boolean;
    isChatSponsor?: boolean;
    isChatModerator?: boolean;
  };
}

export type YouTubeClearTarget = { login: string; durationSec?: number };

export type YouTubeEvent =
  | { kind: "message"; item: IngestItem }
  | { kind: "deleted"; externalId: string }
  | { kind: "cleared"; target: YouTubeClearTarget };

/** IngestItem's limits (protocol/ingest.ts): longer values would get the whole batch rejected. */
const MAX_ID = 128;
const MAX_NAME = 64;

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** At most `max` UTF-16 units (the schema's measure), never splitting a surrogate pair. */
function cut(value: string, max: number): string {
  let out = "";
  for (const char of value) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out;
}

function authorBadges(author: NonNullable<YouTubeLiveChatMessage["authorDetails"]>): string[] {
  const badges: string[] = [];
  if (author.isChatOwner === true) badges.push("owner");
  if (author.isChatModerator === true) badges.push("moderator");
  if (author.isChatSponsor === true) badges.push("member");
  if (author.isVerified === true) badges.push("verified");
  return badges;
}

/** A `member/<months>` badge replaces the plain `member` one (one membership badge per user). */
function withMemberMonths(badges: string[], months: number | undefined): string[] {
  if (months === undefined || !Number.isInteger(months) || months < 0) {
    return badges.includes("member") ? badges : [...badges, "member"];
  }
  return [...badges.filter((b) => b !== "member"), `member/${months}`];
}

function item(message: YouTubeLiveChatMessage, text: string, extraBadges: (badges: string[]) => string[]) {
  const id = str(message.id);
  const author = message.authorDetails;
  const username = str(author?.channelId) ?? str(message.snippet?.authorChannelId);
  if (id === undefined || id.length > MAX_ID || username === undefined || username.length > MAX_NAME) return null;
  const result: IngestItem = { externalId: id, username, text };
  const displayName = str(author?.displayName);
  // Longer display names are cut rather than losing the message.
  if (displayName !== undefined) result.displayName = cut(displayName, MAX_NAME);
  const badges = extraBadges(author ? authorBadges(author) : []);
  if (badges.length > 0) result.badges = badges;
  const sentAt = Date.parse(message.snippet?.publishedAt ?? "");
  if (Number.isFinite(sentAt) && sentAt >= 0) result.sentAt = sentAt;
  const event: YouTubeEvent = { kind: "message", item: result };
  return event;
}

function durationSec(value: string | number | undefined): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

export function toYouTubeEvent(message: YouTubeLiveChatMessage): YouTubeEvent | null {
  const snippet = message.snippet;
  if (snippet === undefined) return null;
  const same = (badges: string[]) => badges;
  switch (snippet.type) {
    case "textMessageEvent": {
      const text = str(snippet.textMessageDetails?.messageText) ?? str(snippet.displayMessage);
      return text === undefined ? null : item(message, text, same);
    }
    case "superChatEvent": {
      const details = snippet.superChatDetails;
      const amount = str(details?.amountDisplayString);
      const text = str(details?.userComment) ?? (amount === undefined ? "Super Chat" : `Super Chat ${amount}`);
      return item(message, text, (badges) => [...badges, "superchat"]);
    }
    case "superStickerEvent": {
      const details = snippet.superStickerDetails;
      const amount = str(details?.amountDisplayString);
      const alt = str(details?.superStickerMetadata?.altText);
      const text = `Super Sticker${amount === undefined ? "" : ` ${amount}`}${alt === undefined ? "" : `: ${alt}`}`;
      return item(message, text, (badges) => [...badges, "superchat"]);
    }
    case "newSponsorEvent": {
      const level = str(snippet.newSponsorDetails?.memberLevelName);
      const text = str(snippet.displayMessage) ?? (level === undefined ? "New member" : `New member: ${level}`);
      return item(message, text, (badges) => withMemberMonths(badges, undefined));
    }
    case "memberMilestoneChatEvent": {
      const details = snippet.memberMilestoneChatDetails;
      const months = details?.memberMonth;
      const text =
        str(details?.userComment) ??
        str(snippet.displayMessage) ??
        (months === undefined ? "Membership milestone" : `Member for ${months} months`);
      return item(message, text, (badges) => withMemberMonths(badges, months));
    }
    case "messageDeletedEvent": {
      const externalId = str(snippet.messageDeletedDetails?.deletedMessageId);
      return externalId === undefined ? null : { kind: "deleted", externalId };
    }
    case "userBannedEvent": {
      const details = snippet.userBannedDetails;
      const login = str(details?.bannedUserDetails?.channelId);
      if (login === undefined) return null;
      const target: YouTubeClearTarget = { login };
      if (details?.banType === "temporary") {
        const seconds = durationSec(details.banDurationSeconds);
        if (seconds !== undefined) target.durationSec = seconds;
      }
      return { kind: "cleared", target };
    }
    default:
      return null;
  }
}
