/**
 * Chat settings as the moderators' panel edits them: which settings a moderator may change
 * (mirrors the server's table only to decide what to enable: the server decides), the ranges of
 * the number fields and how a typed value is read, the blocked-terms list operations, the
 * wording of errors and of the modes a viewer sees. Pure.
 */
import {
  AUTOMOD_CATEGORIES,
  type AutoModCategories,
  type AutoModCategory,
  type BlockedTerm,
  type BlockedTermAction,
  type ChannelSettings,
  LIMITS,
  MODERATOR_SETTINGS,
  ROLE_RANK,
  SHIELD_PRESET,
  toBlockedTerms,
} from "@chorus/protocol";

/** Whether an actor of `rank` (lib/moderation's ranks) may change `key`. */
export function canEditSetting(key: keyof ChannelSettings, rank: number): boolean {
  return rank >= ROLE_RANK.owner || (rank >= ROLE_RANK.moderator && MODERATOR_SETTINGS.has(key));
}

export type NumberSettingKey =
  | "slowModeSec"
  | "followersOnlyMin"
  | "capsLimitPercent"
  | "repeatLimit"
  | "guestCooldownSec"
  | "minAccountAgeMin";

export interface NumberSetting {
  label: string;
  min: number;
  max: number;
  unit: string;
  /** How "off" is written: null for the nullable ones, 0 for the others. */
  off: null | 0;
}

/** The ranges of the protocol's ChannelSettings schema. */
export const NUMBER_SETTINGS: Readonly<Record<NumberSettingKey, NumberSetting>> = {
  slowModeSec: { label: "Slow mode", min: 0, max: 21_600, unit: "s", off: 0 },
  followersOnlyMin: { label: "Followers-only", min: 0, max: 129_600, unit: "min", off: null },
  capsLimitPercent: { label: "Capitals limit", min: 50, max: 100, unit: "%", off: null },
  repeatLimit: { label: "Repeated characters", min: 3, max: 100, unit: "×", off: null },
  guestCooldownSec: { label: "Guest cool-down", min: 0, max: 3_600, unit: "s", off: 0 },
  minAccountAgeMin: { label: "Minimum account age", min: 1, max: 525_600, unit: "min", off: null },
};

/** The value of a number field as typed, or why it cannot be saved. */
export type Parsed = { ok: true; value: number } | { ok: false; error: string };

export function parseNumberSetting(key: NumberSettingKey, raw: string): Parsed {
  const field = NUMBER_SETTINGS[key];
  const text = raw.trim();
  const value = Number(text);
  if (text === "" || !Number.isInteger(value) || value < field.min || value > field.max) {
    return { ok: false, error: `${field.label}: a whole number from ${field.min} to ${field.max} ${field.unit}.` };
  }
  return { ok: true, value };
}

/** The PATCH for one number setting; `null` means off (0 for the settings that have no null). */
export function numberPatch(key: NumberSettingKey, value: number | null): Partial<ChannelSettings> {
  switch (key) {
    case "slowModeSec":
      return { slowModeSec: value ?? 0 };
    case "guestCooldownSec":
      return { guestCooldownSec: value ?? 0 };
    case "followersOnlyMin":
      return { followersOnlyMin: value };
    case "capsLimitPercent":
      return { capsLimitPercent: value };
    case "repeatLimit":
      return { repeatLimit: value };
    case "minAccountAgeMin":
      return { minAccountAgeMin: value };
  }
}

/** The value a number field shows when it is switched on (the first sensible one). */
export const DEFAULT_ON: Readonly<Record<NumberSettingKey, number>> = {
  slowModeSec: 30,
  followersOnlyMin: 10,
  capsLimitPercent: 70,
  repeatLimit: 10,
  guestCooldownSec: 60,
  minAccountAgeMin: 60,
};

export const SLOW_MODE_PRESETS = [3, 5, 10, 30, 60, 120] as const;

export const AUTOMOD_LEVELS = [
  { level: 0, label: "Off" },
  { level: 1, label: "1 · least filtering" },
  { level: 2, label: "2 · some" },
  { level: 3, label: "3 · more" },
  { level: 4, label: "4 · most filtering" },
] as const;

export const AUTOMOD_CATEGORY_LABELS: Readonly<Record<AutoModCategory, string>> = {
  disability: "Disability",
  aggression: "Aggression",
  sexuality: "Sexuality",
  misogyny: "Misogyny",
  bullying: "Bullying",
  swearing: "Swearing",
  identity: "Race, ethnicity, religion",
};

/** The category overrides with one changed; `level` undefined makes it follow the global level. */
export function withCategoryLevel(
  current: AutoModCategories | undefined,
  category: AutoModCategory,
  level: number | undefined,
): AutoModCategories {
  const next: Record<string, number> = {};
  for (const c of AUTOMOD_CATEGORIES) {
    const value = c === category ? level : current?.[c];
    if (value !== undefined) next[c] = value;
  }
  return next;
}

export const LINK_ROLES = ["viewer", "subscriber", "vip", "moderator", "owner"] as const;
export const LINK_ROLE_LABELS: Readonly<Record<(typeof LINK_ROLES)[number], string>> = {
  viewer: "Everyone",
  subscriber: "Subscribers and up",
  vip: "VIPs and up",
  moderator: "Moderators and up",
  owner: "Broadcaster only",
};

/** What shield mode switches on, in words (from the protocol's preset). */
export const SHIELD_SUMMARY = [
  SHIELD_PRESET.guestsAllowed ? "guests allowed" : "guests off",
  `followers-only ${SHIELD_PRESET.followersOnlyMin} min`,
  `slow mode ${SHIELD_PRESET.slowModeSec} s`,
  `AutoMod ${SHIELD_PRESET.autoModLevel}`,
].join(", ");

// ---- blocked terms -----------------------------------------------------------------------

export const TERM_ACTIONS: readonly BlockedTermAction[] = ["mask", "hold", "reject"];
export const TERM_ACTION_LABELS: Readonly<Record<BlockedTermAction, string>> = {
  mask: "Mask with ***",
  hold: "Hold for review",
  reject: "Refuse",
};

/** A term as typed, checked and in the server's canonical form, or why it cannot be added. */
export function parseTerm(raw: string): { ok: true; term: string } | { ok: false; error: string } {
  const term = raw.normalize("NFKC").trim().toLowerCase();
  if (term.replace(/\*/g, "") === "") return { ok: false, error: "Type a word or phrase to block." };
  if ([...term].length > 100) return { ok: false, error: "A term is at most 100 characters." };
  // The server reads `*` only at either end ("spam*" matches "spammer").
  if (term.slice(1, -1).includes("*")) return { ok: false, error: "A * may only stand at the start or the end." };
  return { ok: true, term };
}

/** The list with `term` added, or its action changed when it is already there. */
export function upsertTerm(list: readonly BlockedTerm[], term: string, action: BlockedTermAction): BlockedTerm[] {
  const i = list.findIndex((t) => t.term === term);
  if (i === -1) return toBlockedTerms([...list, { term, action }]);
  return list.map((t, j) => (j === i ? { term, action } : t));
}

export function removeTerm(list: readonly BlockedTerm[], term: string): BlockedTerm[] {
  return list.filter((t) => t.term !== term);
}

/** Whether one more term fits under the server's limit. */
export function termsFull(list: readonly BlockedTerm[]): boolean {
  return list.length >= LIMITS.blockedTermsMax;
}

// ---- words ---------------------------------------------------------------------------------

export interface ErrorLike {
  code: string;
  message: string;
}

/** A failed settings change in words a moderator understands. */
export function describeSettingsError(error: ErrorLike): string {
  switch (error.code) {
    case "forbidden":
      return "Only the broadcaster can change that setting.";
    case "invalid_request":
      return `That value is not allowed: ${error.message}.`;
    case "unauthorized":
      return "Your session has ended. Sign in again.";
    case "not_found":
      return "This channel no longer exists.";
    case "rate_limited":
      return "Too many changes at once. Wait a moment and try again.";
    case "unavailable":
      return "The server could not be reached. Try again.";
    default:
      return `Not saved: ${error.message}`;
  }
}

/** The modes a chatter should know about before typing ("Slow mode 30 s", "Followers-only"). */
export function describeChatModes(s: ChannelSettings): string[] {
  const modes: string[] = [];
  if (s.shieldMode) modes.push("Shield mode");
  if (s.slowModeSec > 0) modes.push(`Slow mode ${s.slowModeSec} s`);
  if (s.followersOnlyMin !== null)
    modes.push(s.followersOnlyMin === 0 ? "Followers-only" : `Followers-only (${s.followersOnlyMin} min)`);
  if (s.subscribersOnly) modes.push("Subscribers-only");
  if (s.emoteOnly) modes.push("Emote-only");
  if (s.uniqueChat) modes.push("Unique chat");
  if (s.chatDelaySec > 0) modes.push(`Chat delay ${s.chatDelaySec} s`);
  return modes;
}
