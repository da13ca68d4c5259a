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

/** Platforms whose moderation API Chorus can call. */
export const LINKABLE_PLATFORMS = ["twitch"] as const;

type OriginAction = "delete" | "ban" | "timeout" | "unban";

export class OriginModeration {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelService,
    private readonly helix: HelixClient,
    private readonly box: () => Promise<TokenBox>,
    private readonly notify: NotifyModerators,
    private readonly logger: Logger,
  ) {}

  // ---- the owner's linked accounts --------------------------------------------------------

  async link(ctx: AuthContext, channel: string, platform: string, token: string): Promise<PlatformAccount> {
    await this.authorize(ctx, channel, "owner");
    if (platform !== "twitch") throw invalid(`accounts can be linked for ${LINKABLE_PLATFORMS.join(", ")} only`);
    let info: Awaited<ReturnType<HelixClient["validate"]>>;
    try {
      info = await this.helix.validate(token.trim());
    } catch (error) {
      if (error instanceof HelixError && error.status === 401) throw invalid("Twitch did not accept this token");
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

  /** A moderator deleted a message here; if it was mirrored from Twitch, delete it there too. */
  deleted(channel: string, dedupKey: string | null, by: string): void {
    const prefix = `${channel}:ext:twitch:`;
    if (!dedupKey?.startsWith(prefix)) return;
    const externalId = dedupKey.slice(prefix.length);
    this.run(channel, "delete", externalId, by, (auth, broadcasterId) =>
      this.helix.deleteMessage(auth, broadcasterId, externalId),
    );
  }

  sanctioned(
    channel: string,
    target: UserRecord,
    durationSec: number | undefined,
    reason: string | null,
    by: string,
  ): void {
    const login = twitchLogin(target);
    if (login === null) return;
    this.run(channel, durationSec === undefined ? "ban" : "timeout", target.username, by, async (auth, broadcasterId) =>
      this.helix.ban(auth, broadcasterId, await this.helix.userId(auth, login), durationSec, reason ?? undefined),
    );
  }

  lifted(channel: string, target: UserRecord, by: string): void {
    const login = twitchLogin(target);
    if (login === null) return;
    this.run(channel, "unban", target.username, by, async (auth, broadcasterId) =>
      this.helix.unban(auth, broadcasterId, await this.helix.userId(auth, login)),
    );
  }

  private run(
    channel: string,
    action: OriginAction,
    target: string,
    by: string,
    call: (auth: HelixAuth, broadcasterId: string) => Promise<void>,
  ): void {
    void (async () => {
      const account = await this.store.platformAccounts.get(channel, "twitch");
      if (!account) return; // nothing linked: Chorus-only moderation, as before
      let outcome: { ok: boolean; error?: string };
      try {
        const token = (await this.box()).open(account.tokenEncrypted);
        // Validating first also tells us the token's app (Helix wants its Client-Id) and catches an expired token.
        const info = await this.helix.validate(token);
        const auth: HelixAuth = { token, clientId: info.clientId, moderatorId: info.userId };
        const mirrored = (await this.store.connectors.list(channel)).find((c) => c.platform === "twitch");
        const broadcasterId = mirrored ? await this.helix.userId(auth, mirrored.source) : info.userId;
        await call(auth, broadcasterId);
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
        this.logger.warn({ err: error, channel, action }, "moderation on Twitch failed");
      }
      this.notify(channel, {
        op: "event",
        channel,
        type: "origin_moderation",
        at: Date.now(),
        data: { platform: "twitch", action, target, by, ...outcome },
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

/** The Twitch login of a mirrored Twitch user (`login@twitch`), or null for anyone else. */
function twitchLogin(user: UserRecord): string | null {
  return user.id.startsWith("x:") && user.username.endsWith("@twitch")
    ? user.username.slice(0, -"@twitch".length)
    : null;
}

function view(r: PlatformAccountRecord): PlatformAccount {
  return { platform: r.platform, login: r.login, scopes: r.scopes, linkedAt: r.linkedAt };
}
