/**
 * A local stand-in for the two YouTube Data API v3 calls the connector makes, in their real
 * shapes: `GET /youtube/v3/videos?part=liveStreamingDetails&id=&key=` and
 * `GET /youtube/v3/liveChat/messages?liveChatId=&part=snippet,authorDetails&pageToken=&key=`,
 * with `nextPageToken`, `pollingIntervalMillis` and Google's error body
 * `{error: {code, message, errors: [{reason, domain, message}]}}`. Tests push messages, make the
 * next call fail, end the chat and read the requests made.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { YouTubeLiveChatMessage } from "./youtube-to-ingest.js";

export interface YouTubeRequest {
  path: string;
  query: Record<string, string>;
  at: number;
}

export interface StandinAuthor {
  channelId: string;
  displayName?: string;
  isChatOwner?: boolean;
  isChatModerator?: boolean;
  isChatSponsor?: boolean;
  isVerified?: boolean;
}

const DOMAINS: Record<string, string> = {
  quotaExceeded: "youtube.quota",
  rateLimitExceeded: "usageLimits",
  keyInvalid: "usageLimits",
};

export class YouTubeApiStandin {
  readonly requests: YouTubeRequest[] = [];
  apiKey = "test-key";
  /** videoId → its active live chat id (absent: not live). */
  readonly videos = new Map<string, string | null>();
  /** What liveChatMessages.list tells clients to wait. */
  pollingIntervalMillis = 50;
  /** Messages per page: more wait for the next page. */
  pageSize = 200;
  private readonly chats = new Map<string, { messages: YouTubeLiveChatMessage[]; ended: boolean }>();
  private readonly failures: Array<{ status: number; reason: string; message: string }> = [];
  private nextId = 1;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<YouTubeApiStandin> {
    let standin: YouTubeApiStandin | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
        const url = req.url ?? "/";
        if (bearer !== undefined || url.startsWith("/oauth2/")) {
          standin?.handleOAuth(req.method ?? "GET", url, bearer, Buffer.concat(chunks), res);
        } else standin?.handle(url, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    standin = new YouTubeApiStandin(server);
    return standin;
  }

  /** The API base as the connector takes it. */
  /** The Google OAuth base (its `/oauth2/tokeninfo`). */
  get oauthUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/youtube/v3`;
  }

  /** Starts (or restarts) a live chat, optionally as a video's active one. */
  createChat(liveChatId: string, videoId?: string): void {
    this.chats.set(liveChatId, { messages: [], ended: false });
    if (videoId !== undefined) this.videos.set(videoId, liveChatId);
  }

  /** The chat ends: polls answer 403 liveChatEnded and the video has no active chat any more. */
  endChat(liveChatId: string): void {
    const chat = this.chats.get(liveChatId);
    if (chat) chat.ended = true;
    for (const [video, chatId] of this.videos) if (chatId === liveChatId) this.videos.set(video, null);
  }

  /** The next calls (one per entry) answer this error. */
  failNext(reason: string, status = 403, message = reason): void {
    this.failures.push({ status, reason, message });
  }

  requestsTo(path: "videos" | "liveChat/messages"): YouTubeRequest[] {
    return this.requests.filter((r) => r.path === `/youtube/v3/${path}`);
  }

  push(liveChatId: string, message: Omit<YouTubeLiveChatMessage, "id"> & { id?: string }): string {
    const chat = this.chats.get(liveChatId);
    if (!chat) throw new Error(`no chat ${liveChatId}`);
    const id = message.id ?? `msg${this.nextId++}`;
    chat.messages.push({ kind: "youtube#liveChatMessage", ...message, id });
    return id;
  }

  pushText(liveChatId: string, author: StandinAuthor, text: string): string {
    return this.push(liveChatId, {
      snippet: this.snippet(liveChatId, author, "textMessageEvent", text, {
        textMessageDetails: { messageText: text },
      }),
      authorDetails: author,
    });
  }

  pushSuperChat(liveChatId: string, author: StandinAuthor, amount: string, comment = ""): string {
    return this.push(liveChatId, {
      snippet: this.snippet(liveChatId, author, "superChatEvent", comment, {
        superChatDetails: { amountDisplayString: amount, userComment: comment, currency: "USD", tier: 2 },
      }),
      authorDetails: author,
    });
  }

  pushMilestone(liveChatId: string, author: StandinAuthor, months: number, comment = ""): string {
    return this.push(liveChatId, {
      snippet: this.snippet(liveChatId, author, "memberMilestoneChatEvent", comment, {
        memberMilestoneChatDetails: { memberMonth: months, userComment: comment, memberLevelName: "Member" },
      }),
      authorDetails: { ...author, isChatSponsor: true },
    });
  }

  pushDeletion(liveChatId: string, moderator: StandinAuthor, deletedMessageId: string): string {
    return this.push(liveChatId, {
      snippet: this.snippet(liveChatId, moderator, "messageDeletedEvent", "", {
        messageDeletedDetails: { deletedMessageId },
      }),
      authorDetails: moderator,
    });
  }

  pushBan(liveChatId: string, moderator: StandinAuthor, bannedChannelId: string, durationSec?: number): string {
    return this.push(liveChatId, {
      snippet: this.snippet(liveChatId, moderator, "userBannedEvent", "", {
        userBannedDetails: {
          bannedUserDetails: { channelId: bannedChannelId, displayName: bannedChannelId },
          banType: durationSec === undefined ? "permanent" : "temporary",
          ...(durationSec === undefined ? {} : { banDurationSeconds: String(durationSec) }),
        },
      }),
      authorDetails: moderator,
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private snippet(
    liveChatId: string,
    author: StandinAuthor,
    type: string,
    displayMessage: string,
    details: NonNullable<YouTubeLiveChatMessage["snippet"]>,
  ): NonNullable<YouTubeLiveChatMessage["snippet"]> {
    return {
      type,
      liveChatId,
      authorChannelId: author.channelId,
      publishedAt: new Date().toISOString(),
      hasDisplayContent: displayMessage.length > 0,
      displayMessage,
      ...details,
    };
  }

  /** OAuth access tokens the stand-in accepts → the YouTube channel they belong to. */
  readonly oauthTokens = new Map<string, string>();
  /** Calls made with an OAuth token (moderation), in order. */
  readonly moderationCalls: Array<{ method: string; path: string; query: Record<string, string>; body: unknown }> = [];

  /** The Google token endpoint and the API calls made on a user's behalf (Bearer token). */
  handleOAuth(method: string, rawUrl: string, bearer: string | undefined, rawBody: Buffer, res: ServerResponse) {
    const url = new URL(rawUrl, "http://standin");
    const query = Object.fromEntries(url.searchParams);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json; charset=UTF-8" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (url.pathname === "/oauth2/tokeninfo") {
      const channel = this.oauthTokens.get(query["access_token"] ?? "");
      if (channel === undefined) return send(400, { error: "invalid_token", error_description: "Invalid Value" });
      return send(200, {
        aud: "app.apps.googleusercontent.com",
        scope: "https://www.googleapis.com/auth/youtube.force-ssl",
        expires_in: "3599",
      });
    }
    const channel = bearer === undefined ? undefined : this.oauthTokens.get(bearer);
    if (channel === undefined) {
      return send(401, {
        error: { code: 401, message: "Invalid Credentials", errors: [{ reason: "authError", domain: "global" }] },
      });
    }
    let body: unknown = null;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody.toString("utf8")) : null;
    } catch {
      return send(400, { error: { code: 400, message: "Parse Error", errors: [{ reason: "parseError" }] } });
    }
    this.moderationCalls.push({ method, path: url.pathname, query, body });
    const failure = this.failures.shift();
    if (failure) {
      return send(failure.status, {
        error: {
          code: failure.status,
          message: failure.message,
          errors: [{ reason: failure.reason, message: failure.message }],
        },
      });
    }
    switch (`${method} ${url.pathname}`) {
      case "GET /youtube/v3/channels":
        return send(200, {
          kind: "youtube#channelListResponse",
          items: query["mine"] === "true" ? [{ kind: "youtube#channel", id: channel }] : [],
        });
      case "DELETE /youtube/v3/liveChat/messages":
        return query["id"]
          ? send(204)
          : send(400, { error: { code: 400, message: "id is required", errors: [{ reason: "required" }] } });
      case "POST /youtube/v3/liveChat/bans": {
        const snippet = (
          body as { snippet?: { liveChatId?: string; bannedUserDetails?: { channelId?: string } } } | null
        )?.snippet;
        if (!snippet?.liveChatId || !snippet.bannedUserDetails?.channelId) {
          return send(400, {
            error: { code: 400, message: "snippet is incomplete", errors: [{ reason: "required" }] },
          });
        }
        return send(200, { kind: "youtube#liveChatBan", id: `ban-${this.nextId++}`, snippet });
      }
      default:
        return send(404, { error: { code: 404, message: "Not Found", errors: [{ reason: "notFound" }] } });
    }
  }

  private handle(rawUrl: string, res: ServerResponse) {
    const url = new URL(rawUrl, "http://standin");
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ path: url.pathname, query, at: Date.now() });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, reason: string, message: string) =>
      send(status, {
        error: { code: status, message, errors: [{ message, domain: DOMAINS[reason] ?? "youtube.liveChat", reason }] },
      });
    if (query["key"] !== this.apiKey) {
      return error(400, "keyInvalid", "API key not valid. Please pass a valid API key.");
    }
    const failure = this.failures.shift();
    if (failure) return error(failure.status, failure.reason, failure.message);
    switch (url.pathname) {
      case "/youtube/v3/videos": {
        if (!query["part"]?.split(",").includes("liveStreamingDetails")) {
          return error(400, "invalidPart", "part must include liveStreamingDetails");
        }
        const items = (query["id"] ?? "")
          .split(",")
          .filter((id) => this.videos.has(id))
          .map((id) => {
            const chatId = this.videos.get(id);
            return {
              kind: "youtube#video",
              id,
              liveStreamingDetails: chatId
                ? { actualStartTime: new Date().toISOString(), activeLiveChatId: chatId }
                : { actualStartTime: new Date().toISOString(), actualEndTime: new Date().toISOString() },
            };
          });
        return send(200, { kind: "youtube#videoListResponse", items, pageInfo: { totalResults: items.length } });
      }
      case "/youtube/v3/liveChat/messages": {
        const chatId = query["liveChatId"] ?? "";
        const chat = this.chats.get(chatId);
        if (!chat)
          return error(404, "liveChatNotFound", "The live chat that you are trying to retrieve cannot be found.");
        if (chat.ended) return error(403, "liveChatEnded", "The specified live chat is no longer live.");
        const parts = query["part"]?.split(",") ?? [];
        if (!parts.includes("snippet")) return error(400, "invalidPart", "part must include snippet");
        // Page tokens are offsets into the chat: what a client has not seen yet.
        const token = query["pageToken"];
        const from = token === undefined ? 0 : Number(token.replace(/^p/, ""));
        if (!Number.isInteger(from) || from < 0) return error(400, "pageTokenInvalid", "The page token is invalid.");
        const items = chat.messages.slice(from, from + this.pageSize).map((m) => {
          if (parts.includes("authorDetails")) return m;
          const { authorDetails: _omitted, ...rest } = m;
          return rest;
        });
        return send(200, {
          kind: "youtube#liveChatMessageListResponse",
          nextPageToken: `p${from + items.length}`,
          pollingIntervalMillis: this.pollingIntervalMillis,
          pageInfo: { totalResults: chat.messages.length, resultsPerPage: items.length },
          items,
        });
      }
      default:
        return error(404, "notFound", "Not Found");
    }
  }
}
