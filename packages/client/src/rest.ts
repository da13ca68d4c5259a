/**
 * Typed helpers for the REST endpoints of docs/api.md. One `request` function maps every non-2xx
 * answer to a `ChorusError` at a single boundary; the helpers only name paths and shapes.
 * The bearer token lives here: register, login and guest store the token they receive, and
 * logout forgets it.
 */
import type {
  BlockedTerm,
  Broadcast,
  Channel,
  ChannelSettings,
  ChannelStanding,
  HeldMessage,
  Message,
  ModlogEntry,
  Role,
  Sanction,
  User,
  UserStatus,
  UserStatusKind,
} from "@chorus/protocol";
import { ChorusError, errorFromResponse, localError } from "./errors.js";

/** The part of a `fetch` Response the SDK reads. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of `fetch` the SDK calls; the global `fetch` of browsers and Node 20 fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<ResponseLike>;

export interface RestOptions {
  /** Origin (and optional path prefix) of the server, e.g. `https://chat.example.com`. */
  baseUrl: string;
  /** Bearer token of an existing session. */
  token?: string;
  /** `fetch` implementation. @default globalThis.fetch */
  fetch?: FetchLike;
}

export interface AuthResult {
  user: User;
  token: string;
}

export interface HistoryQuery {
  channel: string;
  /** Messages with seq < before (the page just before it). */
  before?: number;
  /** Messages with seq > after (the page just after it). */
  after?: number;
  /** Page size, at most 200. @default 50 (server side) */
  limit?: number;
}

export interface PostMessageOptions {
  /** Idempotency key: repeating a nonce returns the original message instead of a duplicate. */
  nonce?: string;
  replyTo?: string;
}

/** 201/200 carry the stored message; 202 means moderation holds it for review. */
export type PostMessageResult = { held: false; message: Message } | { held: true; id: string };

/** A standing ban or timeout of a channel (`GET /api/channels/:name/bans`): the protocol's `Sanction`. */
export type ChannelBan = Sanction;

export interface SanctionOptions {
  reason?: string;
}

export const MODLOG_ACTIONS = [
  "ban",
  "timeout",
  "unban",
  "clear_chat",
  "delete_message",
  "set_role",
  "approve_held",
  "deny_held",
  "restrict",
  "monitor",
  "unrestrict",
] as const;
export type ModlogAction = (typeof MODLOG_ACTIONS)[number];

export interface ModlogQuery {
  action?: string;
  /** Entries about this username. */
  target?: string;
  /** Entries older than this (ms since the epoch): the next page. */
  before?: number;
  /** At most 200. @default 50 (server side) */
  limit?: number;
}

/**
 * A partial settings change for `PATCH /api/channels/:name`: only the fields sent change (a
 * blocked term may be a plain string, which means `reject`; `autoModCategories` is replaced whole).
 */
export type ChannelSettingsPatch = Partial<Omit<ChannelSettings, "blockedTerms">> & {
  blockedTerms?: ReadonlyArray<string | BlockedTerm>;
};

export interface ChannelPatch {
  title?: string;
  settings?: ChannelSettingsPatch;
}

export interface UserStatusOptions {
  reason?: string;
}

/** The roles an owner can hand out; `viewer` removes the user's role. */
export type AssignableRole = Exclude<Role, "owner">;

/** `GET /api/channels/:name/users`: connections counted over every node, signed-in viewers listed. */
export interface ChannelUsers {
  viewers: number;
  chatters: Array<{ username: string; displayName: string; role: string }>;
}

export type ConnectorState = "connecting" | "connected" | "error" | "stopped";

/** A built-in connector mirroring another platform's chat into a channel. */
export interface Connector {
  platform: string;
  source: string;
  state: ConnectorState;
  lastMessageAt: number | null;
  error?: string;
}

/** An ingest key as listed: never its secret. */
export interface IngestKey {
  id: string;
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export const INGEST_PLATFORMS = ["twitch", "youtube", "kick", "generic"] as const;
export type IngestPlatform = (typeof INGEST_PLATFORMS)[number];

/** One message from another platform, in that platform's vocabulary (badges such as `subscriber/12`). */
export interface IngestItem {
  externalId: string;
  username: string;
  displayName?: string;
  color?: string;
  badges?: string[];
  text: string;
  sentAt?: number;
  emotes?: Array<{ name: string; start: number; end: number; url?: string }>;
  replyTo?: string;
  firstMessage?: boolean;
}

export interface IngestResult {
  externalId: string;
  status: "published" | "duplicate" | "held" | "rejected";
  id?: string;
  seq?: number;
  code?: string;
  message?: string;
}

export interface BroadcastMessagesQuery {
  before?: number;
  after?: number;
  /** At most 200. */
  limit?: number;
  /** Include deleted and cleared messages as placeholders (`text: ""`, `deleted: true`). */
  deleted?: boolean;
}

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export class RestClient {
  readonly baseUrl: string;
  private currentToken: string | undefined;
  private readonly fetchImpl: FetchLike;

  constructor(options: RestOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.currentToken = options.token;
    const custom = options.fetch;
    // Called as a plain function: browsers reject `fetch` invoked with a foreign `this`.
    this.fetchImpl = custom ? (url, init) => custom(url, init) : (url, init) => globalThis.fetch(url, init);
  }

  get token(): string | undefined {
    return this.currentToken;
  }

  /** Replaces the bearer token used by REST calls (and, in `ChorusClient`, by the socket). */
  setToken(token: string | undefined): void {
    if (token === this.currentToken) return;
    this.currentToken = token;
    this.tokenChanged(token);
  }

  /** Hook for subclasses that must react to a new token. */
  protected tokenChanged(_token: string | undefined): void {}

  // ---- auth ------------------------------------------------------------------------------

  async register(credentials: { username: string; password: string }): Promise<AuthResult> {
    return this.storeToken(await this.request<AuthResult>("POST", "/api/auth/register", credentials));
  }

  async login(credentials: { username: string; password: string }): Promise<AuthResult> {
    return this.storeToken(await this.request<AuthResult>("POST", "/api/auth/login", credentials));
  }

  async guest(identity: { username: string }): Promise<AuthResult> {
    return this.storeToken(await this.request<AuthResult>("POST", "/api/auth/guest", identity));
  }

  /** Revokes this session server-side and forgets the token, even if the server call fails. */
  async logout(): Promise<void> {
    try {
      await this.request<undefined>("POST", "/api/auth/logout");
    } finally {
      this.setToken(undefined);
    }
  }

  async me(): Promise<User> {
    return (await this.request<{ user: User }>("GET", "/api/me")).user;
  }

  // ---- channels --------------------------------------------------------------------------

  async listChannels(): Promise<Channel[]> {
    return (await this.request<{ channels: Channel[] }>("GET", "/api/channels")).channels;
  }

  async getChannel(name: string): Promise<Channel> {
    return (await this.request<{ channel: Channel }>("GET", `/api/channels/${enc(name)}`)).channel;
  }

  async createChannel(input: { name: string; title?: string }): Promise<Channel> {
    return (await this.request<{ channel: Channel }>("POST", "/api/channels", input)).channel;
  }

  /**
   * Changes the title and any subset of the settings. The owner (or an admin) may change
   * everything; moderators only the chat modes and shield mode (else `forbidden`).
   */
  async updateChannel(name: string, patch: ChannelPatch): Promise<Channel> {
    return (await this.request<{ channel: Channel }>("PATCH", `/api/channels/${enc(name)}`, patch)).channel;
  }

  /** The caller's role, ban or timeout and follow in the channel (anonymous callers too). */
  async channelStanding(channel: string): Promise<ChannelStanding> {
    return this.request<ChannelStanding>("GET", `/api/channels/${enc(channel)}/me`);
  }

  // ---- messages --------------------------------------------------------------------------

  /** A page of messages ordered by seq ascending (deleted ones omitted). */
  async history(query: HistoryQuery): Promise<Message[]> {
    const params = new URLSearchParams();
    if (query.before !== undefined) params.set("before", String(query.before));
    if (query.after !== undefined) params.set("after", String(query.after));
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    const qs = params.toString();
    const path = `/api/channels/${enc(query.channel)}/messages${qs ? `?${qs}` : ""}`;
    return (await this.request<{ messages: Message[] }>("GET", path)).messages;
  }

  async postMessage(channel: string, text: string, options: PostMessageOptions = {}): Promise<PostMessageResult> {
    const body: { text: string; nonce?: string; replyTo?: string } = { text };
    if (options.nonce !== undefined) body.nonce = options.nonce;
    if (options.replyTo !== undefined) body.replyTo = options.replyTo;
    const result = await this.request<{ message: Message } | { held: true; id: string }>(
      "POST",
      `/api/channels/${enc(channel)}/messages`,
      body,
    );
    return "message" in result ? { held: false, message: result.message } : { held: true, id: result.id };
  }

  async deleteMessage(channel: string, id: string): Promise<void> {
    await this.request<undefined>("DELETE", `/api/channels/${enc(channel)}/messages/${enc(id)}`);
  }

  // ---- moderation ------------------------------------------------------------------------

  /** Times `username` out for `durationSec` seconds (1 s – two weeks). */
  async timeout(
    channel: string,
    username: string,
    durationSec: number,
    options: SanctionOptions = {},
  ): Promise<ChannelBan> {
    return this.sanction(channel, { username, durationSec, ...options });
  }

  /** Bans `username` from the channel until lifted. */
  async ban(channel: string, username: string, options: SanctionOptions = {}): Promise<ChannelBan> {
    return this.sanction(channel, { username, ...options });
  }

  /** Lifts a ban or a timeout. */
  async unban(channel: string, username: string): Promise<void> {
    await this.request<undefined>("DELETE", `/api/channels/${enc(channel)}/bans/${enc(username)}`);
  }

  /** Standing bans and running timeouts, newest first (moderators and up; others get `forbidden`). */
  async listBans(channel: string): Promise<ChannelBan[]> {
    return (await this.request<{ bans: ChannelBan[] }>("GET", `/api/channels/${enc(channel)}/bans`)).bans;
  }

  /** Hides the chat so far, for everyone. */
  async clearChat(channel: string): Promise<void> {
    await this.request<undefined>("POST", `/api/channels/${enc(channel)}/clear`);
  }

  /** Gives `username` a channel role (the owner or an admin only). */
  async setRole(
    channel: string,
    username: string,
    role: AssignableRole,
  ): Promise<{ username: string; role: AssignableRole }> {
    return this.request("PUT", `/api/channels/${enc(channel)}/roles/${enc(username)}`, { role });
  }

  /** A page of the moderation log, newest first. */
  async modlog(channel: string, query: ModlogQuery = {}): Promise<ModlogEntry[]> {
    const params = new URLSearchParams();
    if (query.action !== undefined && query.action !== "") params.set("action", query.action);
    if (query.target !== undefined && query.target !== "") params.set("target", query.target);
    if (query.before !== undefined) params.set("before", String(query.before));
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    const qs = params.toString();
    const path = `/api/channels/${enc(channel)}/modlog${qs ? `?${qs}` : ""}`;
    return (await this.request<{ entries: ModlogEntry[] }>("GET", path)).entries;
  }

  /** The review queue, oldest first (moderators and up). */
  async listHeld(channel: string): Promise<HeldMessage[]> {
    return (await this.request<{ held: HeldMessage[] }>("GET", `/api/channels/${enc(channel)}/held`)).held;
  }

  /** Publishes a held message; `not_found` when another moderator resolved it first. */
  async approveHeld(channel: string, id: string): Promise<Message> {
    const path = `/api/channels/${enc(channel)}/held/${enc(id)}/approve`;
    return (await this.request<{ message: Message }>("POST", path)).message;
  }

  /** Drops a held message; `not_found` when another moderator resolved it first. */
  async denyHeld(channel: string, id: string): Promise<void> {
    await this.request<undefined>("POST", `/api/channels/${enc(channel)}/held/${enc(id)}/deny`);
  }

  /** Users marked restricted or monitored (moderators and up). */
  async listSuspicious(channel: string): Promise<UserStatus[]> {
    return (await this.request<{ users: UserStatus[] }>("GET", `/api/channels/${enc(channel)}/suspicious`)).users;
  }

  /**
   * Marks a user `restricted` (their messages wait in the review queue) or `monitored` (their
   * messages are published and flagged to moderators); replaces any earlier mark.
   */
  async setUserStatus(
    channel: string,
    username: string,
    status: UserStatusKind,
    options: UserStatusOptions = {},
  ): Promise<UserStatus> {
    const path = `/api/channels/${enc(channel)}/suspicious/${enc(username)}`;
    return (await this.request<{ user: UserStatus }>("PUT", path, { status, ...options })).user;
  }

  /** Lifts a restricted or monitored mark (`not_found` when there is none). */
  async clearUserStatus(channel: string, username: string): Promise<void> {
    await this.request<undefined>("DELETE", `/api/channels/${enc(channel)}/suspicious/${enc(username)}`);
  }

  private async sanction(
    channel: string,
    body: { username: string; durationSec?: number; reason?: string },
  ): Promise<ChannelBan> {
    return (await this.request<{ ban: ChannelBan }>("POST", `/api/channels/${enc(channel)}/bans`, body)).ban;
  }

  // ---- streamer tools --------------------------------------------------------------------

  /** The latest 100 broadcasts, newest first, the running one included. */
  async listBroadcasts(channel: string): Promise<Broadcast[]> {
    const path = `/api/channels/${enc(channel)}/broadcasts`;
    return (await this.request<{ broadcasts: Broadcast[] }>("GET", path)).broadcasts;
  }

  /** A page of a broadcast's transcript, by seq ascending. */
  async broadcastMessages(channel: string, id: string, query: BroadcastMessagesQuery = {}): Promise<Message[]> {
    const params = new URLSearchParams();
    if (query.before !== undefined) params.set("before", String(query.before));
    if (query.after !== undefined) params.set("after", String(query.after));
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.deleted === true) params.set("deleted", "true");
    const qs = params.toString();
    const path = `/api/channels/${enc(channel)}/broadcasts/${enc(id)}/messages${qs ? `?${qs}` : ""}`;
    return (await this.request<{ messages: Message[] }>("GET", path)).messages;
  }

  /** The download URL of a broadcast's transcript (a plain link: the server streams it). */
  broadcastExportUrl(channel: string, id: string, format: "json" | "csv"): string {
    return `${this.baseUrl}/api/channels/${enc(channel)}/broadcasts/${enc(id)}/export?format=${format}`;
  }

  async channelUsers(channel: string): Promise<ChannelUsers> {
    return this.request<ChannelUsers>("GET", `/api/channels/${enc(channel)}/users`);
  }

  /** The channel's connectors (moderators and up). */
  async listConnectors(channel: string): Promise<Connector[]> {
    const path = `/api/channels/${enc(channel)}/connectors`;
    return (await this.request<{ connectors: Connector[] }>("GET", path)).connectors;
  }

  /** Starts, or re-points, the channel's connector for `platform` (the owner or an admin). */
  async putConnector(channel: string, platform: string, source: string): Promise<Connector> {
    const path = `/api/channels/${enc(channel)}/connectors/${enc(platform)}`;
    return (await this.request<{ connector: Connector }>("PUT", path, { source })).connector;
  }

  async deleteConnector(channel: string, platform: string): Promise<void> {
    await this.request<undefined>("DELETE", `/api/channels/${enc(channel)}/connectors/${enc(platform)}`);
  }

  /** Creates an ingest key; its secret is in this answer only. */
  async createIngestKey(channel: string, label?: string): Promise<{ key: IngestKey; secret: string }> {
    const body = label === undefined || label === "" ? {} : { label };
    return this.request("POST", `/api/channels/${enc(channel)}/ingest-keys`, body);
  }

  async listIngestKeys(channel: string): Promise<IngestKey[]> {
    return (await this.request<{ keys: IngestKey[] }>("GET", `/api/channels/${enc(channel)}/ingest-keys`)).keys;
  }

  async revokeIngestKey(channel: string, id: string): Promise<void> {
    await this.request<undefined>("DELETE", `/api/channels/${enc(channel)}/ingest-keys/${enc(id)}`);
  }

  /**
   * Posts 1–100 items through the ingest path with an ingest key's secret (not the session
   * token: the endpoint accepts only keys), one result per item in order.
   */
  async ingest(
    channel: string,
    platform: IngestPlatform,
    secret: string,
    items: readonly IngestItem[],
  ): Promise<IngestResult[]> {
    const path = `/api/channels/${enc(channel)}/ingest/${enc(platform)}`;
    const body = await this.request<{ results: IngestResult[] }>("POST", path, items, secret);
    return body.results;
  }

  // ---- transport -------------------------------------------------------------------------

  /**
   * Sends one request and returns its parsed JSON body (`undefined` for an empty body).
   * Public so that callers can reach endpoints this SDK has no helper for yet.
   */
  async request<T>(method: Method, path: string, body?: unknown, bearer?: string): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = bearer ?? this.currentToken;
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    const init: { method: string; headers: Record<string, string>; body?: string } = { method, headers };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response: ResponseLike;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, init);
      text = await response.text();
    } catch (error) {
      throw localError(`${method} ${path} failed: ${describe(error)}`, error);
    }
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        if (response.ok) throw new ChorusError("internal", `${method} ${path}: response is not JSON`, { cause: error });
      }
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed, response.headers.get("retry-after"));
    return parsed as T;
  }

  private storeToken(result: AuthResult): AuthResult {
    this.setToken(result.token);
    return result;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
