/**
 * The resources of docs/api.md as TypeBox schemas: one definition gives the server its
 * validation and OpenAPI document and gives every client its static types.
 */
import { type Static, Type } from "@sinclair/typebox";
import { LIMITS } from "./limits.js";
import { SafeString } from "./strings.js";

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  color: Type.String(),
  isAdmin: Type.Boolean(),
  isGuest: Type.Boolean(),
  createdAt: Type.Integer(),
});
export type User = Static<typeof User>;

export const ROLES = ["owner", "moderator", "vip", "subscriber", "viewer"] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = (typeof ROLES)[number];
/** Higher number = more rights. */
export const ROLE_RANK: Record<Role, number> = { owner: 4, moderator: 3, vip: 2, subscriber: 1, viewer: 0 };

/**
 * A blocked term and what happens to a message that contains it: `mask` publishes it with the
 * term replaced by `***`, `hold` keeps it for moderators to review, `reject` refuses it (400
 * `blocked_term`). `*` at either end of the term matches any continuation of the word.
 */
export const BlockedTermAction = Type.Union([Type.Literal("mask"), Type.Literal("hold"), Type.Literal("reject")]);
export type BlockedTermAction = Static<typeof BlockedTermAction>;
export const BlockedTerm = Type.Object({
  term: SafeString({ minLength: 1, maxLength: 100 }),
  action: BlockedTermAction,
});
export type BlockedTerm = Static<typeof BlockedTerm>;

/** Stored or sent terms, strings included (a plain string means `reject`), as the canonical list. */
export function toBlockedTerms(raw: ReadonlyArray<string | BlockedTerm>): BlockedTerm[] {
  const byTerm = new Map<string, BlockedTerm>();
  for (const item of raw) {
    const { term, action } = typeof item === "string" ? { term: item, action: "reject" as const } : item;
    const key = term.normalize("NFKC").trim().toLowerCase();
    if (key.length > 0) byTerm.set(key, { term: key, action });
  }
  return [...byTerm.values()];
}

/**
 * AutoMod's categories (`identity` is race, ethnicity and religion). `autoModLevel` sets every
 * category at once; `autoModCategories` overrides single ones. At level L a term of severity
 * s (1 mild … 4 severe) is held for review when s ≥ 5 − L; at level 4 the severity-4 terms
 * are refused outright. Level 0 is off.
 */
export const AUTOMOD_CATEGORIES = [
  "disability",
  "aggression",
  "sexuality",
  "misogyny",
  "bullying",
  "swearing",
  "identity",
] as const;
export type AutoModCategory = (typeof AUTOMOD_CATEGORIES)[number];
const AutoModLevel = Type.Integer({ minimum: 0, maximum: 4 });
export const AutoModCategories = Type.Partial(
  Type.Object({
    disability: AutoModLevel,
    aggression: AutoModLevel,
    sexuality: AutoModLevel,
    misogyny: AutoModLevel,
    bullying: AutoModLevel,
    swearing: AutoModLevel,
    identity: AutoModLevel,
  } satisfies Record<AutoModCategory, typeof AutoModLevel>),
  { additionalProperties: false },
);
export type AutoModCategories = Static<typeof AutoModCategories>;

/** The chat delays a channel may choose, in seconds (Twitch's 2, 4 and 6). */
export const CHAT_DELAYS = [0, 2, 4, 6] as const;

export const ChannelSettings = Type.Object({
  slowModeSec: Type.Integer({ minimum: 0, maximum: 21600 }),
  followersOnlyMin: Type.Union([Type.Integer({ minimum: 0, maximum: 129600 }), Type.Null()]),
  subscribersOnly: Type.Boolean(),
  emoteOnly: Type.Boolean(),
  uniqueChat: Type.Boolean(),
  guestsAllowed: Type.Boolean(),
  blockedTerms: Type.Array(BlockedTerm, { maxItems: LIMITS.blockedTermsMax }),
  autoModLevel: AutoModLevel,
  /** Per-category levels that override `autoModLevel`; a category left out follows it. */
  autoModCategories: Type.Optional(AutoModCategories),
  /**
   * Shield mode: one switch for a raid. Turning it on applies `SHIELD_PRESET` at once;
   * turning it off restores the settings from before (the server keeps them meanwhile).
   */
  shieldMode: Type.Boolean(),
  /** Least role whose messages may contain links (a guest counts as a viewer). */
  linksMinRole: Role,
  /**
   * Spam filter: refuse (400 `spam`) a message of at least `SPAM_MIN_LETTERS` letters, emotes
   * left out, at least this share of which are capitals. null = off. VIPs and up are exempt.
   */
  capsLimitPercent: Type.Union([Type.Integer({ minimum: 50, maximum: 100 }), Type.Null()]),
  /**
   * Spam filter: refuse a message in which one character, or a unit of up to three, repeats
   * more than this many times in a row ("aaaaaaaa", "lololololol"). null = off. VIPs and up exempt.
   */
  repeatLimit: Type.Union([Type.Integer({ minimum: 3, maximum: 100 }), Type.Null()]),
  /** A guest may post only this many seconds after the guest identity was created. 0 = off. */
  guestCooldownSec: Type.Integer({ minimum: 0, maximum: 3600 }),
  /**
   * Established users: an account (or guest identity) younger than this many minutes may not
   * post. null = off. Subscribers, VIPs, moderators and the owner are exempt.
   */
  minAccountAgeMin: Type.Union([Type.Integer({ minimum: 1, maximum: 525600 }), Type.Null()]),
  /**
   * Seconds by which non-moderators see the chat late, so that a moderator's delete lands before
   * they see the message (Twitch's chat delay). 0 = off.
   */
  chatDelaySec: Type.Union(CHAT_DELAYS.map((d) => Type.Literal(d))),
  /**
   * How long messages are kept: `"forever"`, a number of days (1–3650; older ones are removed
   * by a background job), or `"end_of_broadcast"` (a broadcast's messages are removed when it
   * ends). The owner's alone.
   */
  retention: Type.Union([
    Type.Literal("forever"),
    Type.Literal("end_of_broadcast"),
    Type.Integer({ minimum: 1, maximum: 3650 }),
  ]),
  /** A `summary` event after every this many messages… */
  summaryEvery: Type.Integer({ minimum: 5, maximum: 1000 }),
  /** …covering the last this many messages. */
  summaryWindow: Type.Integer({ minimum: 10, maximum: 1000 }),
  /**
   * The channel's own emotes, and how they feel to the sentiment analyser: name → polarity on
   * the AFINN scale, -5 (hostile) … 5 (delighted); 0 marks an emote as neutral. The owner's alone.
   */
  sentimentEmotes: Type.Record(
    Type.String({ minLength: 1, maxLength: LIMITS.emoteNameMax }),
    Type.Integer({ minimum: -5, maximum: 5 }),
    {
      maxProperties: LIMITS.sentimentEmotesMax,
    },
  ),
});
export type ChannelSettings = Static<typeof ChannelSettings>;

export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = {
  slowModeSec: 0,
  followersOnlyMin: null,
  subscribersOnly: false,
  emoteOnly: false,
  uniqueChat: false,
  guestsAllowed: true,
  blockedTerms: [],
  autoModLevel: 0,
  shieldMode: false,
  linksMinRole: "vip",
  capsLimitPercent: null,
  repeatLimit: null,
  guestCooldownSec: 0,
  minAccountAgeMin: null,
  chatDelaySec: 0,
  retention: "forever",
  summaryEvery: 20,
  summaryWindow: 100,
  sentimentEmotes: {},
};

/** Letters (emotes left out) a message needs before the capitals filter looks at it. */
export const SPAM_MIN_LETTERS = 12;

/**
 * The settings moderators may change as well as the owner: the chat modes and filters that
 * Twitch lets moderators manage (chat settings, AutoMod, blocked terms). Guests, the title and
 * the video stay the owner's.
 */
export const MODERATOR_SETTINGS: ReadonlySet<keyof ChannelSettings> = new Set<keyof ChannelSettings>([
  "slowModeSec",
  "followersOnlyMin",
  "subscribersOnly",
  "emoteOnly",
  "uniqueChat",
  "shieldMode",
  "chatDelaySec",
  "blockedTerms",
  "autoModLevel",
  "autoModCategories",
  "linksMinRole",
  "capsLimitPercent",
  "repeatLimit",
  "guestCooldownSec",
  "minAccountAgeMin",
]);

/** What shield mode applies: guests off, followers-only 10 min, slow 5 s, AutoMod 4. */
export const SHIELD_PRESET = {
  guestsAllowed: false,
  followersOnlyMin: 10,
  slowModeSec: 5,
  autoModLevel: 4,
} as const satisfies Partial<ChannelSettings>;

export const Broadcast = Type.Object({
  id: Type.String(),
  title: Type.String(),
  startedAt: Type.Integer(),
  endedAt: Type.Union([Type.Integer(), Type.Null()]),
  messageCount: Type.Integer(),
  videoUrl: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type Broadcast = Static<typeof Broadcast>;

export const Channel = Type.Object({
  name: Type.String(),
  title: Type.String(),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  live: Type.Boolean(),
  broadcast: Type.Optional(Broadcast),
  videoUrl: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  viewers: Type.Integer(),
  settings: ChannelSettings,
  createdAt: Type.Integer(),
});
export type Channel = Static<typeof Channel>;

export const Author = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  color: Type.String(),
  role: Type.String(),
  badges: Type.Array(Type.String()),
  platform: Type.String(),
  /** For an ingested message: the author's own id on their platform, as it wrote it (case kept). */
  externalId: Type.Optional(Type.String()),
});
export type Author = Static<typeof Author>;

/** What a message's tags may say about it (docs/api.md "sentiment"). */
export const SENTIMENT_TAGS = ["compliment", "insult", "humor", "question", "hype"] as const;
export type SentimentTag = (typeof SENTIMENT_TAGS)[number];
export const SENTIMENT_LABELS = ["positive", "neutral", "negative"] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/**
 * The analyser's reading of one message, computed once before it is logged so every
 * subscriber, the history and the transcript see the same value.
 */
export const Sentiment = Type.Object({
  label: Type.Union(SENTIMENT_LABELS.map((l) => Type.Literal(l))),
  /** -1 (hostile) … 1 (delighted). */
  score: Type.Number({ minimum: -1, maximum: 1 }),
  tags: Type.Array(Type.Union(SENTIMENT_TAGS.map((t) => Type.Literal(t)))),
});
export type Sentiment = Static<typeof Sentiment>;

export const Message = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  seq: Type.Integer(),
  text: Type.String(),
  createdAt: Type.Integer(),
  author: Author,
  replyTo: Type.Optional(Type.String()),
  /** Platform emotes in the text: code-point positions (inclusive) and the platform's image. */
  emotes: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String(),
        start: Type.Integer(),
        end: Type.Integer(),
        url: Type.Optional(Type.String()),
      }),
    ),
  ),
  mentions: Type.Optional(Type.Array(Type.String())),
  sentiment: Type.Optional(Sentiment),
  broadcastId: Type.Optional(Type.String()),
  /** The author's first message in this channel (moderators keep an eye on first-time chatters). */
  firstMessage: Type.Optional(Type.Literal(true)),
  /**
   * Removed before viewers were shown it: under chat delay a message a moderator deleted in
   * time reaches viewers only as this placeholder (empty text), to keep their seqs contiguous.
   */
  deleted: Type.Optional(Type.Literal(true)),
});
export type Message = Static<typeof Message>;

/**
 * A channel's live numbers over the last 5 minutes (`GET /stats`, and the ephemeral `stats`
 * event every 2 s while the channel has chat).
 */
export const ChannelStats = Type.Object({
  at: Type.Integer(),
  /** Messages in the window, per minute of it. */
  messagesPerMinute: Type.Number(),
  /** Messages in the last 60 s alone: the live rate, for charts. */
  lastMinute: Type.Integer(),
  /** Distinct authors in the window. */
  chatters: Type.Integer(),
  viewers: Type.Integer(),
  /** Shares (0–1, summing to 1 when there were messages) of the window's messages by sentiment. */
  sentiment: Type.Object({ positive: Type.Number(), neutral: Type.Number(), negative: Type.Number() }),
  /** The window's mean sentiment score, -1 … 1. */
  mood: Type.Number(),
  topEmotes: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })),
  topTerms: Type.Array(Type.Object({ term: Type.String(), count: Type.Integer() })),
  /** Open questions: asked in the window, not deleted, not replied to; newest last. */
  questions: Type.Array(Message),
});
export type ChannelStats = Static<typeof ChannelStats>;

/** A moment of a broadcast when the chat's message rate spiked far above its recent baseline. */
export const Highlight = Type.Object({
  at: Type.Integer(),
  /** The first message of the spike. */
  seq: Type.Integer(),
  /** Messages per minute during the spike… */
  rate: Type.Number(),
  /** …and over the minutes before it (median). */
  baseline: Type.Number(),
  /** The spike's dominant emote or term. */
  label: Type.String(),
});
export type Highlight = Static<typeof Highlight>;

export const Summary = Type.Object({
  text: Type.String(),
  fromSeq: Type.Integer(),
  toSeq: Type.Integer(),
});
export type Summary = Static<typeof Summary>;
