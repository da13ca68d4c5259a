/**
 * Moderation that reaches the origin. When the owner links their account on a platform (an
 * OAuth token they paste; validated with the platform, stored encrypted), a delete, ban,
 * timeout or unban done in Chorus on a mirrored message or a `login@platform` user is also
 * sent to that platform's moderation API, and moderators on every node hear how it went
 * (`origin_moderation`). It runs after the action here has succeeded and never holds it up:
 * the platform being slow or refusing does not undo what Chorus did.
 */
import type { PlatformAccount } from "@chorus/protocol";
import type { Logger } from "pino";
import type { AuthContext } from "../auth/auth-service.js";
import type { ChannelService } from "../channels/channel-service.js";
import { hasRole } from "../chat/permissions.js";
import type { TokenBox } from "../crypto/token-box.js";
import { forbidden, invalid, notFound } from "../errors.js";
import type { NotifyModerators } from "../moderation/held-queue.js";
import type { PlatformAccountRecord, Store, UserRecord } from "../ports/store.js";
import { type HelixAuth, type HelixClient, HelixError } from "./twitch/helix.js";
import { YouTubeApiError } from "./youtube/youtube-connector.js";
import type { YouTubeModeration } from "./youtube/youtube-moderation.js";

/** Platforms whose moderation API Chorus can call. */
export const LINKABLE_PLATFORMS = ["twitch", "youtube"] as const;

type OriginAction = "delete" | "ban" | "timeout" | "unban";

export class OriginModeration {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelService,
    private readonly helix: HelixClient,
    private readonly youtube: YouTubeModeration,
    private readonly box: () => Promise<TokenBox>,
    private readonly notify: NotifyModerators,
    private readonly logger: Logger,
  ) {}

  // ---- the owner's linked accounts --------------------------------------------------------

  async link(ctx: AuthContext, channel: string, platform: string, token: string): Promise<PlatformAccount> {
    await this.authorize(ctx, channel, "owner");
    // OAuth tokens are visible ASCII. Anything else cannot go in an Authorization header: fetch
    // throws on it, which was a 500 (found by npm run fuzz: a token of Arabic-Indic digits).
    if (!/^[\x21-\x7E]+$/.test(token.trim())) throw invalid("a token is letters, digits and punctuation only");
    let info: { login: string; userId: string; scopes: string[] };
    try {
      if (platform === "twitch") info = await this.helix.validate(token.trim());
      else if (platform === "youtube") {
        const yt = await this.youtube.validate(token.trim());
        info = { login: yt.channelId, userId: yt.channelId, scopes: yt.scopes };
      } else throw invalid(`accounts can be linked for ${LINKABLE_PLATFORMS.join(", ")} only`);
    } catch (error) {
      const refused =
        (error instanceof HelixError && error.status === 401) ||
        (error instanceof YouTubeApiError && (error.status === 401 || error.status === 404));
      if (refused) throw invalid(`${platform} did not accept this token (${error.message})`);
      throw error;
    }
    const record: PlatformAccountRecord = {
      channel,
      platform,
      login: info.login,
      userId: info.userId,
      scopes: info.scopes,
      tokenEncrypted: (await this.box()).seal(token.trim()),
      linkedAt: Date.now(),
    };
    await this.store.platformAccounts.put(record);
    return view(record);
  }

  async accounts(ctx: AuthContext, channel: string): Promise<PlatformAccount[]> {
    await this.authorize(ctx, channel, "moderator");
    return (await this.store.platformAccounts.list(channel)).map(view);
  }

  async unlink(ctx: AuthContext, channel: string, platform: string): Promise<void> {
    await this.authorize(ctx, channel, "owner");
    if (!(await this.store.platformAccounts.remove(channel, platform))) throw notFound("linked account");
  }

  // ---- after a moderation action here --------------------------------------------------------

  /** A moderator deleted a message here; if it was mirrored from Twitch or YouTube, delete it there too. */
  deleted(channel: string, dedupKey: string | null, by: string): void {
    const [, platform, externalId] = /^[^:]+:ext:(twitch|youtube):(.+)$/.exec(dedupKey ?? "") ?? [];
    if (platform === undefined || externalId === undefined) return;
    if (platform === "twitch") {
      this.runTwitch(channel, "delete", externalId, by, (auth, broadcasterId) =>
        this.helix.deleteMessage(auth, broadcasterId, externalId),
      );
    } else {
      this.runYouTube(channel, "delete", externalId, by, (token) => this.youtube.deleteMessage(token, externalId));
    }
  }

  sanctioned(
    channel: string,
    target: UserRecord,
    durationSec: number | undefined,
    reason: string | null,
    by: string,
  ): void {
    const action = durationSec === undefined ? "ban" : "timeout";
    const platform = platformOf(target);
    if (platform === "twitch") {
      const login = target.username.slice(0, -"@twitch".length);
      this.runTwitch(channel, action, target.username, by, async (auth, broadcasterId) =>
        this.helix.ban(auth, broadcasterId, await this.helix.userId(auth, login), durationSec, reason ?? undefined),
      );
    } else if (platform === "youtube") {
      this.runYouTube(channel, action, target.username, by, async (token, source) => {
        // Our identity is lower-cased; YouTube's channel ids are not: take it from their last message.
        const last = await this.store.events.lastMessageBy(channel, target.id);
        const channelId = last?.author.externalId;
        if (channelId === undefined) throw new Error("no message of theirs tells their YouTube channel id");
        await this.youtube.ban(token, await this.youtube.liveChatId(source), channelId, durationSec);
      });
    }
  }

  lifted(channel: string, target: UserRecord, by: string): void {
    const platform = platformOf(target);
    if (platform === "twitch") {
      const login = target.username.slice(0, -"@twitch".length);
      this.runTwitch(channel, "unban", target.username, by, async (auth, broadcasterId) =>
        this.helix.unban(auth, broadcasterId, await this.helix.userId(auth, login)),
      );
    } else if (platform === "youtube") {
      this.runYouTube(channel, "unban", target.username, by, async () => {
        throw new Error("YouTube lifts a ban only by the ban's id: lift it in YouTube Studio");
      });
    }
  }

  private runTwitch(
    channel: string,
    action: OriginAction,
    target: string,
    by: string,
    call: (auth: HelixAuth, broadcasterId: string) => Promise<void>,
  ): void {
    this.run(channel, "twitch", action, target, by, async (token) => {
      // Validating first also tells us the token's app (Helix wants its Client-Id) and catches an expired token.
      const info = await this.helix.validate(token);
      const auth: HelixAuth = { token, clientId: info.clientId, moderatorId: info.userId };
      const mirrored = (await this.store.connectors.list(channel)).find((c) => c.platform === "twitch");
      await call(auth, mirrored ? await this.helix.userId(auth, mirrored.source) : info.userId);
    });
  }

  private runYouTube(
    channel: string,
    action: OriginAction,
    target: string,
    by: string,
    call: (token: string, source: string) => Promise<void>,
  ): void {
    this.run(channel, "youtube", action, target, by, async (token) => {
      const mirrored = (await this.store.connectors.list(channel)).find((c) => c.platform === "youtube");
      if (!mirrored) throw new Error("no YouTube connector: which live chat is unknown");
      await call(token, mirrored.source);
    });
  }

  private run(
    channel: string,
    platform: "twitch" | "youtube",
    action: OriginAction,
    target: string,
    by: string,
    call: (token: string) => Promise<void>,
  ): void {
    void (async () => {
      const account = await this.store.platformAccounts.get(channel, platform);
      if (!account) return; // nothing linked: Chorus-only moderation, as before
      let outcome: { ok: boolean; error?: string };
      try {
        await call((await this.box()).open(account.tokenEncrypted));
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
        this.logger.warn({ err: error, channel, platform, action }, "moderation on the origin platform failed");
      }
      this.notify(channel, {
        op: "event",
        channel,
        type: "origin_moderation",
        at: Date.now(),
        data: { platform, action, target, by, ...outcome },
      });
    })().catch((error: unknown) => this.logger.warn({ err: error }, "origin moderation failed"));
  }

  private async authorize(ctx: AuthContext, channel: string, least: "owner" | "moderator"): Promise<void> {
    const state = await this.channels.state(channel);
    if (!hasRole(state, ctx.user, least)) {
      throw forbidden(least === "owner" ? "only the channel's owner links platform accounts" : "moderators only");
    }
  }
}

/** The platform of a mirrored user (`login@platform`), or null for our own users. */
function platformOf(user: UserRecord): "twitch" | "youtube" | null {
  if (!user.id.startsWith("x:")) return null;
  if (user.username.endsWith("@twitch")) return "twitch";
  return user.username.endsWith("@youtube") ? "youtube" : null;
}

function view(r: PlatformAccountRecord): PlatformAccount {
  return { platform: r.platform, login: r.login, scopes: r.scopes, linkedAt: r.linkedAt };
}
