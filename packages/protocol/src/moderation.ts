/** The moderation resources as the API returns them (docs/api.md "Moderation"). */
import { type Static, Type } from "@sinclair/typebox";
import { Message } from "./models.js";

/** A standing ban (`until` null: until lifted) or timeout in a channel. */
export const Sanction = Type.Object({
  username: Type.String(),
  kind: Type.Union([Type.Literal("ban"), Type.Literal("timeout")]),
  until: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** Who imposed it (username). */
  by: Type.String(),
  at: Type.Integer(),
});
export type Sanction = Static<typeof Sanction>;

/** One line of a channel's modlog. */
export const ModlogEntry = Type.Object({
  id: Type.String(),
  at: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type ModlogEntry = Static<typeof ModlogEntry>;

/** A message waiting in the review queue. */
export const HeldMessage = Type.Object({
  id: Type.String(),
  message: Message,
  reasons: Type.Array(Type.String()),
  at: Type.Integer(),
});
export type HeldMessage = Static<typeof HeldMessage>;

/**
 * Suspicious-user statuses (Twitch's): a `restricted` user's messages are held for moderators
 * (everyone else never sees them unless approved); a `monitored` user's messages are published
 * and moderators see them marked.
 */
export const USER_STATUSES = ["restricted", "monitored"] as const;
export const UserStatusKind = Type.Union(USER_STATUSES.map((s) => Type.Literal(s)));
export type UserStatusKind = (typeof USER_STATUSES)[number];

export const UserStatus = Type.Object({
  username: Type.String(),
  status: UserStatusKind,
  reason: Type.Union([Type.String(), Type.Null()]),
  /** Who set it (username). */
  by: Type.String(),
  at: Type.Integer(),
});
export type UserStatus = Static<typeof UserStatus>;

/** An owner's linked account on another platform (the token is never returned). */
export const PlatformAccount = Type.Object({
  platform: Type.String(),
  login: Type.String(),
  scopes: Type.Array(Type.String()),
  linkedAt: Type.Integer(),
});
export type PlatformAccount = Static<typeof PlatformAccount>;

/** `GET /api/channels/:name/me`: the caller's standing in a channel. */
export const ChannelStanding = Type.Object({
  /** null for an anonymous caller. */
  role: Type.Union([Type.String(), Type.Null()]),
  /** Whether the caller may moderate (moderator, owner or admin). */
  canModerate: Type.Boolean(),
  /** The caller's ban or timeout in force, if any. */
  sanction: Type.Union([Sanction, Type.Null()]),
  /** When the caller followed the channel (null: not following). */
  followedAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type ChannelStanding = Static<typeof ChannelStanding>;

/**
 * A site-wide ban, set by an admin: an account (every session, every channel) or an address
 * range (every request and connection from it), until `until` or lifted (`until` null).
 */
export const SiteBan = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal("account"), Type.Literal("address")]),
  /** The banned account's name (kind `account`). */
  username: Type.Union([Type.String(), Type.Null()]),
  /** The banned range in CIDR notation, a single address as /32 or /128 (kind `address`). */
  cidr: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** The admin who set it (username). */
  by: Type.String(),
  at: Type.Integer(),
  until: Type.Union([Type.Integer(), Type.Null()]),
});
export type SiteBan = Static<typeof SiteBan>;
