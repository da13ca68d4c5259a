/**
 * The slice of Twitch's APIs that moderation in Chorus reaches the origin with: token
 * validation (id.twitch.tv `/oauth2/validate`) and Helix's moderation endpoints (delete a chat
 * message, ban or time out, unban). Base URLs come from configuration (TWITCH_AUTH_URL,
 * TWITCH_API_URL), so tests speak to a local stand-in (helix-standin.ts).
 */

export interface TwitchTokenInfo {
  clientId: string;
  login: string;
  userId: string;
  scopes: string[];
}

export interface HelixUrls {
  /** e.g. https://id.twitch.tv */
  auth: string;
  /** e.g. https://api.twitch.tv/helix */
  api: string;
}

/** What Helix answered when it refused: its status and message, for the moderator to read. */
export class HelixError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HelixError";
  }
}

const TIMEOUT_MS = 10_000;

export class HelixClient {
  constructor(
    private readonly urls: HelixUrls,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The token's owner and scopes; `HelixError` 401 for a token Twitch does not accept. */
  async validate(token: string): Promise<TwitchTokenInfo> {
    const res = await this.fetchImpl(`${this.urls.auth}/oauth2/validate`, {
      headers: { authorization: `OAuth ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new HelixError(res.status, String(body["message"] ?? `validate answered ${res.status}`));
    const { client_id: clientId, login, user_id: userId, scopes } = body;
    if (typeof clientId !== "string" || typeof login !== "string" || typeof userId !== "string") {
      throw new HelixError(502, "validate answered without client_id, login or user_id");
    }
    return {
      clientId,
      login,
      userId,
      scopes: Array.isArray(scopes) ? scopes.filter((s) => typeof s === "string") : [],
    };
  }

  async userId(auth: HelixAuth, login: string): Promise<string> {
    const body = (await this.call(auth, "GET", "/users", { login })) as { data?: Array<{ id?: unknown }> } | null;
    const id = body?.data?.[0]?.id;
    if (typeof id !== "string") throw new HelixError(404, `no Twitch user ${login}`);
    return id;
  }

  async deleteMessage(auth: HelixAuth, broadcasterId: string, messageId: string): Promise<void> {
    await this.call(auth, "DELETE", "/moderation/chat", {
      broadcaster_id: broadcasterId,
      moderator_id: auth.moderatorId,
      message_id: messageId,
    });
  }

  /** A ban, or with `durationSec` a timeout (Twitch: 1 s to 2 weeks). */
  async ban(
    auth: HelixAuth,
    broadcasterId: string,
    userId: string,
    durationSec?: number,
    reason?: string,
  ): Promise<void> {
    const data: Record<string, unknown> = { user_id: userId };
    if (durationSec !== undefined) data["duration"] = durationSec;
    if (reason) data["reason"] = reason.slice(0, 500);
    await this.call(
      auth,
      "POST",
      "/moderation/bans",
      { broadcaster_id: broadcasterId, moderator_id: auth.moderatorId },
      { data },
    );
  }

  async unban(auth: HelixAuth, broadcasterId: string, userId: string): Promise<void> {
    await this.call(auth, "DELETE", "/moderation/bans", {
      broadcaster_id: broadcasterId,
      moderator_id: auth.moderatorId,
      user_id: userId,
    });
  }

  private async call(
    auth: HelixAuth,
    method: string,
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<unknown> {
    const url = `${this.urls.api}${path}?${new URLSearchParams(query).toString()}`;
    const res = await this.fetchImpl(url, {
      method,
      headers: {
        authorization: `Bearer ${auth.token}`,
        "client-id": auth.clientId,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status === 204) return null;
    const parsed = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) throw new HelixError(res.status, String(parsed?.["message"] ?? `Helix answered ${res.status}`));
    return parsed;
  }
}

/** Who acts on Twitch: the linked account's token, its app's client id, its user id. */
export interface HelixAuth {
  token: string;
  clientId: string;
  moderatorId: string;
}
