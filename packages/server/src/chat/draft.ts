/**
 * A message on its way through the write pipeline: who sent it, where, and what, before the
 * log gives it a seq. Checks read it and may rewrite its text; the chat service turns the
 * draft that passed every check into the logged `Message`.
 */
import type { IngestPlatform, Role } from "@chorus/protocol";
import type { ChannelState } from "../channels/channel-cache.js";
import type { UserRecord } from "../ports/store.js";

/** An account or guest of this Chorus. Connectors will add an external author kind. */
export interface LocalAuthor {
  kind: "local";
  user: UserRecord;
  role: Role;
  /** Exempt from per-user chat limits (admins and configured bots). */
  exempt: boolean;
  /** The client's IP address (null for a server-side caller): guests' messages are limited per address too. */
  address: string | null;
}

/**
 * The author of a message ingested from another platform: an identity of ours
 * (`login@platform`, created on first sight) so that bans, the modlog and the user card work
 * on them as on anyone, with the platform's name, colour and badges for display.
 */
export interface ExternalAuthor {
  kind: "external";
  user: UserRecord;
  /** From the platform badges (a Twitch moderator is exempt where our moderators are). */
  role: Role;
  exempt: false;
  platform: IngestPlatform;
  displayName: string;
  color: string;
  badges: string[];
  /** The author's id on the platform, case kept (YouTube channel ids are case-sensitive). */
  externalId: string;
}

export type DraftAuthor = LocalAuthor | ExternalAuthor;

/** What an ingested message brings besides its text. */
export interface DraftOrigin {
  externalId: string;
  /** Platform emotes by name, with their image; positions are found in the final text. */
  emotes: ReadonlyMap<string, string | undefined>;
  /** The platform marked it as the author's first message. */
  firstMessage: boolean;
}

export interface Draft {
  readonly channel: ChannelState;
  readonly author: DraftAuthor;
  /** The text as the client sent it: anything, until the text check has looked at it. */
  readonly rawText: unknown;
  /** The normalised text, set by the text check (the first check); rewritten by later ones. */
  text: string;
  readonly nonce: string | undefined;
  readonly replyTo: string | undefined;
  /** Channel + sender + nonce: what the log deduplicates retries by. */
  readonly dedupKey: string | undefined;
  readonly receivedAt: number;
  /** Set for an ingested message. */
  readonly origin?: DraftOrigin;
}

/** The raw text may be anything a client sent; the text check rejects what is not a string. */
export interface DraftInput {
  text: unknown;
  nonce?: string | undefined;
  replyTo?: string | undefined;
}
