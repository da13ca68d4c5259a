/**
 * Ingest from other platforms (docs/api.md "Ingest"): the item a producer or a built-in
 * connector posts, the per-item result, ingest keys and connectors. One item shape for every
 * platform; what differs is the vocabulary of `badges`, which the server maps to ours.
 */
import { type Static, Type } from "@sinclair/typebox";
import { LIMITS } from "./limits.js";
import { SafeString } from "./strings.js";

export const INGEST_PLATFORMS = ["twitch", "youtube", "kick", "generic"] as const;
export type IngestPlatform = (typeof INGEST_PLATFORMS)[number];

/** Items one ingest request may carry. */
export const INGEST_BATCH_MAX = 100;

/** An emote inside the text: code-point positions, inclusive, as Twitch reports them. */
export const IngestEmote = Type.Object(
  {
    name: SafeString({ minLength: 1, maxLength: 100 }),
    start: Type.Integer({ minimum: 0, maximum: LIMITS.messageMaxChars * 4 }),
    end: Type.Integer({ minimum: 0, maximum: LIMITS.messageMaxChars * 4 }),
    /** The platform's image of the emote (https only). */
    url: Type.Optional(SafeString({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type IngestEmote = Static<typeof IngestEmote>;

export const IngestItem = Type.Object(
  {
    /** The message's id on its platform: a repeat of it is ignored. */
    externalId: SafeString({ minLength: 1, maxLength: 128 }),
    /** The author's login (Twitch), channel id or handle (YouTube), username (Kick). */
    username: SafeString({ minLength: 1, maxLength: 64 }),
    displayName: Type.Optional(SafeString({ minLength: 1, maxLength: 64 })),
    /** `#rrggbb`; a missing or malformed colour gets a stable one from the username. */
    color: Type.Optional(SafeString({ maxLength: 32 })),
    /**
     * In the platform's vocabulary: Twitch `name/version` (`subscriber/12`, `moderator/1`,
     * `founder/0`), YouTube `owner`, `moderator`, `member`, `member/6` (months), `verified`,
     * Kick `broadcaster`, `moderator`, `vip`, `og`, `founder`, `subscriber/3`, `verified`.
     */
    badges: Type.Optional(Type.Array(SafeString({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
    text: SafeString({ maxLength: LIMITS.messageMaxChars * 4 }),
    /** When the platform says it was sent (ms since the epoch). */
    sentAt: Type.Optional(Type.Integer({ minimum: 0, maximum: 8.64e15 })),
    emotes: Type.Optional(Type.Array(IngestEmote, { maxItems: 200 })),
    /** The externalId of the message this one replies to. */
    replyTo: Type.Optional(SafeString({ minLength: 1, maxLength: 128 })),
    /** The platform marks the author's first message in the channel. */
    firstMessage: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type IngestItem = Static<typeof IngestItem>;

export const IngestBody = Type.Union([IngestItem, Type.Array(IngestItem, { minItems: 1, maxItems: INGEST_BATCH_MAX })]);
export type IngestBody = Static<typeof IngestBody>;

export const INGEST_STATUSES = ["published", "duplicate", "held", "rejected"] as const;
export type IngestStatus = (typeof INGEST_STATUSES)[number];

export interface IngestResult {
  externalId: string;
  status: IngestStatus;
  /** The Chorus message id (published, duplicate) or held id (held). */
  id?: string;
  seq?: number;
  /** For `rejected`: the stable error code and its message. */
  code?: string;
  message?: string;
}

export interface IngestKey {
  id: string;
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export const CONNECTOR_STATES = ["connecting", "connected", "error", "stopped"] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

export interface Connector {
  platform: string;
  /** What it reads: a Twitch channel name, a YouTube live chat id or video id. */
  source: string;
  state: ConnectorState;
  lastMessageAt: number | null;
  error?: string;
}
