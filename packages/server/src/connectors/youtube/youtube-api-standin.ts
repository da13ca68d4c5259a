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
      req.resume();
      req.on("end", () => standin?.handle(req.url ?? "/", res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    standin = new YouTubeApiStandin(server);
    return standin;
  }

  /** The API base as the connector takes it. */
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
