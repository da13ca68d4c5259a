/**
 * Pure logic of the streamer's tools: the replay timeline of a past broadcast, platform badges
 * (what a bridged author's `subscriber/14` means, and what the simulator sends per platform),
 * platform emotes within a message, and the simulator's burst of realistic chat.
 */
import type { IngestItem, IngestPlatform, IngestResult } from "@chorus/client";
import type { Message } from "@chorus/protocol";

// ---- replay ------------------------------------------------------------------------------

export const REPLAY_SPEEDS = [0.5, 1, 2, 4] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** The span a replay covers: the broadcast's start and end, widened to its messages' times. */
export function replaySpan(
  startedAt: number,
  endedAt: number | null,
  messages: readonly Pick<Message, "createdAt">[],
): { start: number; end: number } {
  const first = messages[0]?.createdAt ?? startedAt;
  const last = messages.at(-1)?.createdAt ?? startedAt;
  const start = Math.min(startedAt, first);
  return { start, end: Math.max(endedAt ?? last, last, start) };
}

/** How many messages (sorted by createdAt) a chat shows with the playhead at `at`. */
export function shownCount(messages: readonly Pick<Message, "createdAt">[], at: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((messages[mid]?.createdAt ?? 0) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The playhead after `elapsedMs` of wall time at `speed`, stopped at the end. */
export function advance(at: number, elapsedMs: number, speed: number, end: number): number {
  return Math.min(end, at + Math.max(0, elapsedMs) * speed);
}

/** `h:mm:ss` / `m:ss` of a span in ms. */
export function formatSpan(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Messages whose text or author (username or display name) contains `query`, any case. */
export function filterTranscript(messages: readonly Message[], query: string): Message[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [...messages];
  return messages.filter(
    (m) =>
      (m.deleted !== true && m.text.toLowerCase().includes(q)) ||
      m.author.username.toLowerCase().includes(q) ||
      m.author.displayName.toLowerCase().includes(q),
  );
}

// ---- badges ------------------------------------------------------------------------------

export type BadgeKind =
  | "broadcaster"
  | "moderator"
  | "vip"
  | "subscriber"
  | "founder"
  | "member"
  | "verified"
  | "partner"
  | "staff"
  | "og"
  | "turbo"
  | "prime"
  | "bot"
  | "guest"
  | "other";

export interface BadgeInfo {
  kind: BadgeKind;
  /** Accessible label and tooltip, e.g. "Subscriber (14 months)". */
  label: string;
  months?: number;
}

const LABELS: Record<Exclude<BadgeKind, "other">, string> = {
  broadcaster: "Broadcaster",
  moderator: "Moderator",
  vip: "VIP",
  subscriber: "Subscriber",
  founder: "Founder",
  member: "Member",
  verified: "Verified",
  partner: "Partner",
  staff: "Staff",
  og: "OG",
  turbo: "Turbo",
  prime: "Prime Gaming",
  bot: "Bot",
  guest: "Guest",
};

/** Reads one of our badge strings (`subscriber/14`, `member/6`, `owner`…). */
export function describeBadge(badge: string): BadgeInfo {
  const [rawName = "", rawCount] = badge.split("/", 2);
  const name = rawName === "owner" ? "broadcaster" : rawName;
  if (!Object.hasOwn(LABELS, name)) return { kind: "other", label: badge.slice(0, 20) };
  const kind = name as Exclude<BadgeKind, "other">;
  const months = rawCount !== undefined && /^\d{1,4}$/.test(rawCount) ? Number(rawCount) : undefined;
  if ((kind === "subscriber" || kind === "member" || kind === "founder") && months !== undefined && months > 0)
    return { kind, label: `${LABELS[kind]} (${months} ${months === 1 ? "month" : "months"})`, months };
  return { kind, label: LABELS[kind] };
}

export interface SimulatorBadges {
  vip: boolean;
  mod: boolean;
  sub: boolean;
}

/** The badges a platform itself would send for these roles, in its own vocabulary. */
export function platformBadges(platform: IngestPlatform, roles: SimulatorBadges, subMonths = 6): string[] {
  const out: string[] = [];
  switch (platform) {
    case "twitch":
      if (roles.mod) out.push("moderator/1");
      if (roles.vip) out.push("vip/1");
      if (roles.sub) out.push(`subscriber/${subMonths}`);
      break;
    case "youtube":
      if (roles.mod) out.push("moderator");
      if (roles.sub) out.push(`member/${subMonths}`);
      if (roles.vip) out.push("verified");
      break;
    case "kick":
      if (roles.mod) out.push("moderator");
      if (roles.vip) out.push("vip");
      if (roles.sub) out.push(`subscriber/${subMonths}`);
      break;
    case "generic":
      if (roles.mod) out.push("moderator");
      if (roles.vip) out.push("vip");
      if (roles.sub) out.push("subscriber");
      break;
  }
  return out;
}

// ---- emotes ------------------------------------------------------------------------------

export type EmoteSegment = { kind: "text"; text: string } | { kind: "emote"; name: string; url: string };

/** Only https images are ever loaded; anything else stays text. */
export function safeImageUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * Splits `text` at its emotes (code-point positions, inclusive). Emotes without a usable
 * https URL, overlapping or out of range stay text.
 */
export function segmentEmotes(text: string, emotes: Message["emotes"]): EmoteSegment[] {
  if (!emotes || emotes.length === 0) return [{ kind: "text", text }];
  const chars = Array.from(text);
  const sorted = [...emotes].sort((a, b) => a.start - b.start);
  const out: EmoteSegment[] = [];
  let at = 0;
  for (const emote of sorted) {
    const url = safeImageUrl(emote.url);
    if (url === null || emote.start < at || emote.end < emote.start || emote.end >= chars.length) continue;
    if (emote.start > at) out.push({ kind: "text", text: chars.slice(at, emote.start).join("") });
    out.push({ kind: "emote", name: emote.name.slice(0, 64), url });
    at = emote.end + 1;
  }
  if (at < chars.length) out.push({ kind: "text", text: chars.slice(at).join("") });
  return out;
}

// ---- burst -------------------------------------------------------------------------------

const NAMES = [
  "pixelpanda",
  "nightowl_gg",
  "zeroCool",
  "mossy_rock",
  "kappa_king",
  "lunaLovesLoot",
  "sir_clicks",
  "tofu_tactics",
  "glitchwitch",
  "bigbrainbarry",
  "quietquasar",
  "ramen_rider",
];
const LINES = [
  "LETS GOOO",
  "that was clean",
  "first time here, love the vibe",
  "KEKW",
  "what settings are you on?",
  "chat is moving so fast lol",
  "no way that worked",
  "gg",
  "hello from Brazil!",
  "can you do that again?",
  "PogChamp",
  "is this ranked?",
  "W streamer",
  "bro is cracked",
  "I was here",
  "5Head play",
  "hydrate reminder",
  "that timing though",
];
const PLATFORMS: readonly IngestPlatform[] = ["twitch", "youtube", "kick", "generic"];

/** A random source; tests pass a seeded one. */
export type Random = () => number;

/** A small seeded generator (mulberry32), so a burst is reproducible in tests. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)] as T;

export interface BurstItem {
  platform: IngestPlatform;
  item: IngestItem;
}

/** `count` varied chat lines over the four platforms, ids unique under `runId`. */
export function burstItems(count: number, runId: string, random: Random = Math.random): BurstItem[] {
  const out: BurstItem[] = [];
  for (let i = 0; i < count; i++) {
    const platform = pick(PLATFORMS, random);
    const username = pick(NAMES, random);
    const roll = random();
    const roles = { mod: roll < 0.05, vip: roll >= 0.05 && roll < 0.12, sub: random() < 0.35 };
    const text = random() < 0.2 ? `${pick(LINES, random)} ${pick(LINES, random)}` : pick(LINES, random);
    out.push({
      platform,
      item: {
        externalId: `${runId}-${i}`,
        username: username.toLowerCase(),
        displayName: username,
        badges: platformBadges(platform, roles, 1 + Math.floor(random() * 36)),
        text,
      },
    });
  }
  return out;
}

/** Groups items per platform in arrays of at most `size` (one request each). */
export function batches(
  items: readonly BurstItem[],
  size = 100,
): Array<{ platform: IngestPlatform; items: IngestItem[] }> {
  const out: Array<{ platform: IngestPlatform; items: IngestItem[] }> = [];
  const open = new Map<IngestPlatform, IngestItem[]>();
  for (const { platform, item } of items) {
    let current = open.get(platform);
    if (!current || current.length >= size) {
      current = [];
      open.set(platform, current);
      out.push({ platform, items: current });
    }
    current.push(item);
  }
  return out;
}

export interface Tally {
  published: number;
  duplicate: number;
  held: number;
  rejected: number;
}

export const EMPTY_TALLY: Tally = { published: 0, duplicate: 0, held: 0, rejected: 0 };

export function tally(into: Tally, results: readonly IngestResult[]): Tally {
  const next = { ...into };
  for (const r of results) next[r.status] += 1;
  return next;
}
