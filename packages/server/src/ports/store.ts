/**
 * Store port: everything durable that is not the live log's hot path — users, sessions,
 * channels, broadcasts, and the persisted channel log (events) from which history,
 * transcripts and old resumes are read.
 *
 * Contract (pinned by test/contracts/store.contract.ts, run against every adapter):
 * - `events.append` is idempotent per (channel, seq): a repeated seq is ignored, so a
 *   persister may retry a batch. It applies each event's effect on history in the same
 *   transaction (a `message_deleted` hides the message), so readers never see half a batch.
 * - `events.maxSeq` never goes down, even after the channel is deleted (tombstone), so a
 *   log restored from the store never hands out a seq twice.
 * - Reads return plain values; adapters never leak rows or driver types.
 */
import type {
  Broadcast,
  ChannelSettings,
  ConnectorState,
  Highlight,
  LoggedEvent,
  LoggedEventType,
  Message,
  Role,
  UserStatusKind,
} from "@chorus/protocol";

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  color: string;
  passwordHash: string | null;
  isAdmin: boolean;
  isGuest: boolean;
  createdAt: number;
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/**
 * A channel's settings as stored: the public ones, plus what shield mode will restore when it
 * is turned off (never shown to clients).
 */
export interface StoredSettings extends ChannelSettings {
  shieldRestore?: Partial<ChannelSettings>;
}

export interface ChannelRecord {
  name: string;
  title: string;
  ownerId: string | null;
  settings: StoredSettings;
  videoUrl: string | null;
  liveBroadcastId: string | null;
  createdAt: number;
}

export interface BroadcastRecord extends Broadcast {
  channel: string;
}

export interface MessageRef {
  id: string;
  seq: number;
  authorId: string;
  deleted: boolean;
  /** The key it was logged with (a nonce's, or `<channel>:ext:<platform>:<externalId>` when ingested). */
  dedupKey: string | null;
}

export interface HistoryQuery {
  channel: string;
  before?: number | undefined;
  after?: number | undefined;
  limit: number;
  broadcastId?: string | undefined;
  /**
   * Include deleted (and cleared) messages, as placeholders `{…, text: "", deleted: true}`:
   * a replay or an export shows that something was there, never what.
   */
  includeDeleted?: boolean | undefined;
}

export interface UserStore {
  create(user: UserRecord): Promise<void>;
  byId(id: string): Promise<UserRecord | null>;
  byUsername(username: string): Promise<UserRecord | null>;
  setAdmin(id: string, isAdmin: boolean): Promise<void>;
  /**
   * Creates the user unless one with that id exists, and returns the stored one: how the
   * author of an ingested message (`login@platform`) gets an identity, also concurrently.
   */
  ensure(user: UserRecord): Promise<UserRecord>;
}

/** A per-channel key for ingest; only the SHA-256 of its secret is stored. */
export interface IngestKeyRecord {
  id: string;
  channel: string;
  label: string | null;
  secretHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface IngestKeyStore {
  create(key: IngestKeyRecord): Promise<void>;
  /** The channel's keys, oldest first. */
  list(channel: string): Promise<IngestKeyRecord[]>;
  /** Deletes the key; false when the channel has no such key. */
  revoke(channel: string, id: string): Promise<boolean>;
  byHash(secretHash: string): Promise<IngestKeyRecord | null>;
  touch(id: string, at: number): Promise<void>;
}

/** A channel's built-in connector to one platform, with the state its runner last reported. */
export interface ConnectorRecord {
  channel: string;
  platform: string;
  source: string;
  state: ConnectorState;
  error: string | null;
  lastMessageAt: number | null;
  updatedAt: number;
}

export interface ConnectorStore {
  /** Creates or re-points it (a new source starts over in `connecting`). */
  put(channel: string, platform: string, source: string, at: number): Promise<ConnectorRecord>;
  remove(channel: string, platform: string): Promise<boolean>;
  list(channel: string): Promise<ConnectorRecord[]>;
  /** Every channel's connectors: what the supervisors run. */
  all(): Promise<ConnectorRecord[]>;
  /** Records a runner's state, for its source only (a re-pointed connector ignores the old runner). */
  setStatus(
    channel: string,
    platform: string,
    source: string,
    status: { state: ConnectorState; error: string | null; lastMessageAt: number | null },
    at: number,
  ): Promise<void>;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  byId(id: string): Promise<SessionRecord | null>;
  revoke(id: string, at: number): Promise<void>;
}

export interface ChannelStore {
  create(channel: ChannelRecord): Promise<void>;
  byName(name: string): Promise<ChannelRecord | null>;
  list(): Promise<ChannelRecord[]>;
  update(name: string, patch: Partial<Omit<ChannelRecord, "name" | "createdAt">>): Promise<void>;
  /** Deletes the channel and its history; its highest seq is kept as a tombstone. */
  delete(name: string): Promise<void>;
  roles(name: string): Promise<Map<string, Role>>;
  setRole(name: string, userId: string, role: Role): Promise<void>;
}

export interface BroadcastStore {
  create(broadcast: BroadcastRecord): Promise<void>;
  byId(id: string): Promise<BroadcastRecord | null>;
  update(id: string, patch: Partial<Pick<BroadcastRecord, "title" | "videoUrl" | "endedAt">>): Promise<void>;
  /** Newest first, with live message counts. */
  list(channel: string, limit: number): Promise<BroadcastRecord[]>;
}

/** A logged event as persisted, with the sender's dedup key (`userId:nonce`) if it had one. */
export interface PersistedEvent {
  event: LoggedEvent;
  dedupKey: string | null;
}

export interface EventStore {
  /**
   * Commits the events: once it resolves they are visible to every reader. Durable against an
   * OS crash only after `flush` (PostgreSQL: already; the embedded database: see wal-sync.ts).
   */
  append(events: readonly PersistedEvent[]): Promise<void>;
  /** Makes everything appended so far durable; what an ack waits for. */
  flush(): Promise<void>;
  /** Events with seq in (afterSeq, afterSeq + limit], ascending. */
  range(channel: string, afterSeq: number, limit: number): Promise<LoggedEvent[]>;
  maxSeq(channel: string): Promise<number>;
  /** The channel's latest `limit` events of one type (summaries, say), ascending by seq. */
  latestOfType<T extends LoggedEventType>(channel: string, type: T, limit: number): Promise<LoggedEvent<T>[]>;
  /** Highest seq of every channel that ever had one (including deleted channels). */
  maxSeqs(): Promise<Map<string, number>>;
  /** Visible messages for history and transcripts, ascending by seq. */
  messages(query: HistoryQuery): Promise<Message[]>;
  messageRef(channel: string, id: string): Promise<MessageRef | null>;
  /**
   * Retention: removes the channel's messages sent before `before` (ms), or those of one
   * broadcast, for good; other events stay (the log's seqs and their tombstone are kept).
   * Returns how many went.
   */
  purgeMessages(channel: string, which: { before: number } | { broadcastId: string }): Promise<number>;
  /** The user's latest stored message in the channel (deleted ones included), or null. */
  lastMessageBy(channel: string, authorId: string): Promise<Message | null>;
  /** Whether the user has any message in the channel's stored history (deleted ones count). */
  hasPosted(channel: string, authorId: string): Promise<boolean>;
  /**
   * Reserves the next `size` seqs of a channel for a log that keeps its counter elsewhere
   * (Redis): returns `from` (every seq ≤ from may already have been handed out) and the new
   * `ceiling` (seqs up to it may now be used). Leases only grow, and never start below the
   * channel's stored events, so a log that lost its counter restarts above anything it
   * could have handed out before.
   */
  leaseSeqs(channel: string, atLeast: number, size: number): Promise<{ from: number; ceiling: number }>;
  /** The event appended with this dedup key at or after `sinceAt`, if any. */
  byDedupKey(channel: string, dedupKey: string, sinceAt: number): Promise<LoggedEvent | null>;
  /** Message events appended since `sinceAt` that carried a dedup key (nonce), for restoring dedup after a restart. */
  recentDedupKeys(sinceAt: number): Promise<Array<{ key: string; channel: string; seq: number }>>;
}

/** A ban (`until` null: until lifted) or a timeout of one user in one channel. */
export interface SanctionRecord {
  channel: string;
  userId: string;
  username: string;
  kind: "ban" | "timeout";
  until: number | null;
  reason: string | null;
  /** Who imposed it (username). */
  by: string;
  at: number;
}

/** Chat spikes of broadcasts (analysis/spikes.ts finds them). */
export interface HighlightStore {
  /** Records it once: a second one for the same broadcast and `at` is ignored. */
  add(broadcastId: string, highlight: Highlight): Promise<void>;
  /** The broadcast's highlights, ascending by `at`. */
  forBroadcast(broadcastId: string): Promise<Highlight[]>;
}

/** A site-wide ban (protocol `SiteBan`, with the account's id). */
export interface SiteBanRecord {
  id: string;
  kind: "account" | "address";
  userId: string | null;
  username: string | null;
  cidr: string | null;
  reason: string | null;
  by: string;
  at: number;
  until: number | null;
}

export interface SiteBanStore {
  add(ban: SiteBanRecord): Promise<void>;
  /** Lifts it; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Bans that have not run out at `now`, oldest first. */
  active(now: number): Promise<SiteBanRecord[]>;
}

export interface SanctionStore {
  /** Imposes it, replacing the user's standing sanction in the channel if any. */
  put(sanction: SanctionRecord): Promise<void>;
  /** Lifts the user's sanction; false when there was none. */
  remove(channel: string, userId: string): Promise<boolean>;
  /** Bans, and timeouts that have not run out at `now`. */
  active(channel: string, now: number): Promise<SanctionRecord[]>;
}

/** A suspicious-user mark: `restricted` (messages held for moderators) or `monitored` (flagged to them). */
export interface UserStatusRecord {
  channel: string;
  userId: string;
  username: string;
  status: UserStatusKind;
  reason: string | null;
  /** Who set it (username). */
  by: string;
  at: number;
}

export interface UserStatusStore {
  /** Sets it, replacing the user's mark in the channel if any. */
  put(status: UserStatusRecord): Promise<void>;
  /** Lifts the user's mark; false when there was none. */
  remove(channel: string, userId: string): Promise<boolean>;
  /** Every mark in the channel, newest first. */
  list(channel: string): Promise<UserStatusRecord[]>;
}

/** A message moderation holds for review, with why. */
export interface HeldRecord {
  id: string;
  channel: string;
  message: Message;
  reasons: string[];
  /** The sender's retry key, so a retried send finds its held message instead of holding another. */
  dedupKey: string | null;
  at: number;
}

export interface HeldStore {
  /** Holds it; resolves with the id of the message held under its dedup key if there was one already. */
  put(held: HeldRecord): Promise<string>;
  /** Oldest first. */
  list(channel: string, limit: number): Promise<HeldRecord[]>;
  /** Removes and returns it, atomically: of two moderators resolving at once, one gets it. */
  take(channel: string, id: string): Promise<HeldRecord | null>;
}

export interface FollowStore {
  /** Starts following at `at`; following again keeps the first time (the follow age counts from it). */
  follow(channel: string, userId: string, at: number): Promise<void>;
  unfollow(channel: string, userId: string): Promise<void>;
  /** When the user started following the channel, or null. */
  since(channel: string, userId: string): Promise<number | null>;
}

/** One line of a channel's audit log: who did what to whom, when and why. */
export interface ModlogEntry {
  id: string;
  channel: string;
  at: number;
  actorId: string;
  actor: string;
  action: string;
  targetId: string | null;
  target: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

export interface ModlogQuery {
  channel: string;
  /** Entries strictly older than this time. */
  before?: number | undefined;
  action?: string | undefined;
  /** Target username. */
  target?: string | undefined;
  limit: number;
}

export interface ModlogStore {
  append(entry: ModlogEntry): Promise<void>;
  /** Newest first. */
  list(query: ModlogQuery): Promise<ModlogEntry[]>;
}

/** A channel owner's account on another platform, for moderation to reach the origin. */
export interface PlatformAccountRecord {
  channel: string;
  platform: string;
  login: string;
  /** The account's id on the platform. */
  userId: string;
  scopes: string[];
  /** The OAuth token, encrypted (crypto/token-box.ts); never stored or returned in clear. */
  tokenEncrypted: string;
  linkedAt: number;
}

export interface PlatformAccountStore {
  put(account: PlatformAccountRecord): Promise<void>;
  get(channel: string, platform: string): Promise<PlatformAccountRecord | null>;
  list(channel: string): Promise<PlatformAccountRecord[]>;
  remove(channel: string, platform: string): Promise<boolean>;
}

export interface SecretStore {
  /** Returns the stored value, storing `candidate` first if none exists (atomic across nodes). */
  getOrCreate(name: string, candidate: string): Promise<string>;
}

export interface Store {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly channels: ChannelStore;
  readonly broadcasts: BroadcastStore;
  readonly events: EventStore;
  readonly sanctions: SanctionStore;
  readonly siteBans: SiteBanStore;
  readonly userStatus: UserStatusStore;
  readonly ingestKeys: IngestKeyStore;
  readonly connectors: ConnectorStore;
  readonly platformAccounts: PlatformAccountStore;
  readonly modlog: ModlogStore;
  readonly follows: FollowStore;
  readonly highlights: HighlightStore;
  readonly held: HeldStore;
  readonly secrets: SecretStore;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
