/**
 * Who may do what to whom on the page, and how sanctions read. Mirrors the server's permission
 * table (docs/api.md "Moderation") only to decide which buttons to show: the server decides,
 * and a refusal is shown as such. Pure.
 */
import { ROLE_RANK, type Role } from "@chorus/protocol";

/** Above every channel role: admins may do everything. */
export const ADMIN_RANK = ROLE_RANK.owner + 1;
/** Lowest rank that may moderate. */
export const MODERATOR_RANK = ROLE_RANK.moderator;

/** The signed-in user acting as a moderator of the open channel. */
export interface Moderator {
  username: string;
  /** ADMIN_RANK, or the rank of `owner` / `moderator`. */
  rank: number;
}

export interface AuthorLike {
  username: string;
  role: string;
  badges: readonly string[];
}

export interface AllowedActions {
  delete: boolean;
  /** Time out and ban: the actor must outrank the author. */
  sanction: boolean;
}

const NONE: AllowedActions = { delete: false, sanction: false };

function isRole(role: string): role is Role {
  return Object.hasOwn(ROLE_RANK, role);
}

/** The rank a message's author holds in the channel (admins by their `staff` badge). */
export function authorRank(author: AuthorLike): number {
  if (author.badges.includes("staff")) return ADMIN_RANK;
  if (author.badges.includes("broadcaster")) return ROLE_RANK.owner;
  return isRole(author.role) ? ROLE_RANK[author.role] : 0;
}

/**
 * Actions a moderator is offered on a message. Never on their own messages or on the owner's;
 * time out and ban only below their own rank (moderators cannot act on each other).
 */
export function allowedActions(mod: Moderator | null, author: AuthorLike): AllowedActions {
  if (mod === null || mod.rank < MODERATOR_RANK) return NONE;
  if (author.username === mod.username) return NONE;
  const rank = authorRank(author);
  if (rank === ROLE_RANK.owner) return NONE;
  return { delete: true, sanction: mod.rank > rank };
}

export interface TimeoutPreset {
  label: string;
  seconds: number;
}

export const TIMEOUT_PRESETS: readonly TimeoutPreset[] = [
  { label: "10 s", seconds: 10 },
  { label: "1 m", seconds: 60 },
  { label: "10 m", seconds: 600 },
  { label: "1 h", seconds: 3_600 },
  { label: "24 h", seconds: 86_400 },
];

/** "10 s", "1 m", "1 h 30 m", "2 d": a timeout's length in words. */
export function formatDuration(seconds: number): string {
  const preset = TIMEOUT_PRESETS.find((p) => p.seconds === seconds);
  if (preset) return preset.label;
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest} s`);
  return parts.slice(0, 2).join(" ");
}

/** A countdown: "0:09", "9:58", "23:59:59" (rounded up, so it never shows 0:00 early). */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The signed-in user's own sanction in the open channel. */
export interface Sanction {
  kind: "ban" | "timeout";
  /** End of a timeout (ms since the epoch); null for a ban. */
  until: number | null;
  reason: string | null;
}

/** The fields of a refused send (`ChorusError`) that say which sanction refused it. */
export interface RefusalLike {
  code: string;
  until?: number | null | undefined;
  retryAfterMs?: number | undefined;
}

/** The sanction a refused send reveals, or null when the refusal was for another reason. */
export function sanctionFromRefusal(error: RefusalLike, now: number): Sanction | null {
  if (error.code === "banned") return { kind: "ban", until: null, reason: null };
  if (error.code !== "timed_out") return null;
  const until =
    typeof error.until === "number" ? error.until : error.retryAfterMs !== undefined ? now + error.retryAfterMs : null;
  // A timeout whose end is unknown still refuses sends: show it without an end time.
  return { kind: "timeout", until, reason: null };
}

/** Whether a sanction still holds at `now` (a timeout ends by itself). */
export function sanctionActive(sanction: Sanction | null, now: number): sanction is Sanction {
  if (sanction === null) return false;
  return sanction.kind === "ban" || sanction.until === null || sanction.until > now;
}

/** Modlog actions in words. */
export const ACTION_LABELS: Record<string, string> = {
  ban: "Ban",
  timeout: "Timeout",
  unban: "Lift",
  clear_chat: "Clear chat",
  delete_message: "Delete message",
  set_role: "Set role",
  approve_held: "Approve held",
  deny_held: "Deny held",
  restrict: "Restrict",
  monitor: "Monitor",
  unrestrict: "Clear mark",
};

/** One modlog entry as a line a moderator reads ("alice timed out bob for 10 m"). */
export function describeModlogEntry(entry: {
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}): string {
  const target = entry.target ?? "someone";
  const d = entry.details;
  switch (entry.action) {
    case "ban":
      return `${entry.actor} banned ${target}`;
    case "timeout": {
      const sec = typeof d["durationSec"] === "number" ? d["durationSec"] : undefined;
      return `${entry.actor} timed out ${target}${sec === undefined ? "" : ` for ${formatDuration(sec)}`}`;
    }
    case "unban":
      return `${entry.actor} lifted the ban or timeout of ${target}`;
    case "clear_chat":
      return `${entry.actor} cleared the chat`;
    case "delete_message":
      return `${entry.actor} deleted a message by ${target}`;
    case "set_role": {
      const role = typeof d["role"] === "string" ? d["role"] : undefined;
      return `${entry.actor} made ${target} ${role ?? "something else"}`;
    }
    case "approve_held":
      return `${entry.actor} approved a held message by ${target}`;
    case "deny_held":
      return `${entry.actor} denied a held message by ${target}`;
    case "restrict":
      return `${entry.actor} restricted ${target}`;
    case "monitor":
      return `${entry.actor} started monitoring ${target}`;
    case "unrestrict":
      return `${entry.actor} cleared the mark on ${target}`;
    default:
      return `${entry.actor}: ${entry.action}${entry.target ? ` ${entry.target}` : ""}`;
  }
}

/** Suspicious-user marks in words. */
export const USER_STATUS_LABELS: Readonly<Record<"restricted" | "monitored", string>> = {
  restricted: "Restricted",
  monitored: "Monitored",
};

/** Why a message was held, in words: `blocked_term`, `restricted`, `automod:<category>`. */
export function describeHoldReason(reason: string): string {
  if (reason === "blocked_term") return "Blocked term";
  if (reason === "restricted") return "Restricted user";
  if (reason.startsWith("automod:")) return `AutoMod: ${reason.slice("automod:".length)}`;
  return reason;
}

export interface HeldLike {
  id: string;
  at: number;
}

/** The queue with `item` in it, oldest first; the same array when the id is already there. */
export function addHeld<T extends HeldLike>(queue: readonly T[], item: T): readonly T[] {
  if (queue.some((h) => h.id === item.id)) return queue;
  const next = [...queue, item];
  // Events from several nodes may arrive out of order.
  return next.sort((a, b) => a.at - b.at);
}

/** The queue without `id`; the same array when it was not there. */
export function removeHeld<T extends HeldLike>(queue: readonly T[], id: string): readonly T[] {
  return queue.some((h) => h.id === id) ? queue.filter((h) => h.id !== id) : queue;
}

/** What a moderator is told after their action went (or failed to go) to the platform the message came from. */
export function originNotice(data: {
  platform: string;
  action: "delete" | "ban" | "timeout" | "unban";
  target: string;
  ok: boolean;
  error?: string;
}): string {
  const platform = data.platform.charAt(0).toUpperCase() + data.platform.slice(1);
  const what = { delete: "deleted", ban: "banned", timeout: "timed out", unban: "unbanned" }[data.action];
  const whom = data.action === "delete" ? "the message" : data.target.replace(/@[a-z]+$/, "");
  return data.ok
    ? `Also ${what} on ${platform}: ${whom}.`
    : `${platform} refused (${what} ${whom} here only): ${data.error ?? "no reason given"}`;
}
