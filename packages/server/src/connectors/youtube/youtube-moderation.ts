/**
 * The slice of YouTube's APIs that moderation in Chorus reaches the origin with, on behalf of
 * the channel owner (an OAuth access token with the `youtube.force-ssl` scope): token check
 * (Google's `/oauth2/tokeninfo`), whose channel it is (`channels?mine=true`), deleting a chat
 * message (`liveChatMessages.delete`) and banning or timing out (`liveChatBans.insert`).
 */
import { apiError, VIDEO_ID, YouTubeApiError } from "./youtube-connector.js";

const TIMEOUT_MS = 10_000;

export interface YouTubeModerationUrls {
  /** e.g. https://oauth2.googleapis.com (its /tokeninfo), or a stand-in's /oauth2 base. */
  oauth: string;
  /** The Data API v3 base. */
  api: string;
}

export class YouTubeModeration {
  constructor(
    private readonly urls: YouTubeModerationUrls,
    /** The server's API key, to find a video's live chat. */
    private readonly apiKey: string | null,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The token's channel and scopes; `YouTubeApiError` 401 for a token Google does not accept. */
  async validate(token: string): Promise<{ channelId: string; scopes: string[] }> {
    const info = await this.fetchImpl(`${this.urls.oauth}/oauth2/tokeninfo?access_token=${encodeURIComponent(token)}`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await info.json().catch(() => ({}))) as Record<string, unknown>;
    if (!info.ok) throw new YouTubeApiError(401, "invalid_token", "Google did not accept this token");
    const mine = (await this.call(token, "GET", "/channels", { part: "id", mine: "true" })) as {
      items?: Array<{ id?: unknown }>;
    };
    const channelId = mine.items?.[0]?.id;
    if (typeof channelId !== "string")
      throw new YouTubeApiError(404, "noChannel", "the token's account has no YouTube channel");
    const scopes = typeof body["scope"] === "string" ? body["scope"].split(" ") : [];
    return { channelId, scopes };
  }

  /** The live chat of a connector's source (a video's active one, or the chat id itself). */
  async liveChatId(source: string): Promise<string> {
    if (!VIDEO_ID.test(source)) return source;
    if (this.apiKey === null) throw new YouTubeApiError(400, "noApiKey", "YOUTUBE_API_KEY is not set");
    const query = new URLSearchParams({ part: "liveStreamingDetails", id: source, key: this.apiKey });
    const res = await this.fetchImpl(`${this.urls.api}/videos?${query.toString()}`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => null)) as {
      items?: Array<{ liveStreamingDetails?: { activeLiveChatId?: unknown } }>;
    } | null;
    if (!res.ok) throw apiError(res.status, body);
    const chatId = body?.items?.[0]?.liveStreamingDetails?.activeLiveChatId;
    if (typeof chatId !== "string") throw new YouTubeApiError(404, "notLive", `video ${source} has no live chat now`);
    return chatId;
  }

  async deleteMessage(token: string, messageId: string): Promise<void> {
    await this.call(token, "DELETE", "/liveChat/messages", { id: messageId });
  }

  /** A permanent ban, or with `durationSec` a temporary one (YouTube's timeout). */
  async ban(token: string, liveChatId: string, channelId: string, durationSec?: number): Promise<void> {
    const snippet: Record<string, unknown> = {
      liveChatId,
      type: durationSec === undefined ? "permanent" : "temporary",
      bannedUserDetails: { channelId },
    };
    if (durationSec !== undefined) snippet["banDurationSeconds"] = durationSec;
    await this.call(token, "POST", "/liveChat/bans", { part: "snippet" }, { snippet });
  }

  private async call(
    token: string,
    method: string,
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<unknown> {
    const res = await this.fetchImpl(`${this.urls.api}${path}?${new URLSearchParams(query).toString()}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status === 204) return null;
    const parsed = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) throw apiError(res.status, parsed);
    return parsed;
  }
}
