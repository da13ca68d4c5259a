/**
 * The owner's side of connectors (docs/api.md "Ingest"): point a channel at another platform's
 * chat, see every connector's state, stop one. The supervisors run them; a change is announced
 * on the bus so that the node running a re-pointed or removed connector stops it at once.
 */
import type { Connector } from "@chorus/protocol";
import type { AuthContext } from "../auth/auth-service.js";
import type { ChannelService } from "../channels/channel-service.js";
import { hasRole } from "../chat/permissions.js";
import { forbidden, invalid, notFound } from "../errors.js";
import type { ConnectorRecord, Store } from "../ports/store.js";
import { CONNECTOR_PLATFORMS, type ConnectorPlatform, SOURCES } from "./registry.js";

export class ConnectorService {
  constructor(
    private readonly store: Store,
    private readonly channels: ChannelService,
    private readonly changed: (channel: string) => void,
  ) {}

  async put(ctx: AuthContext, channel: string, platform: string, rawSource: string): Promise<Connector> {
    await this.authorize(ctx, channel, "owner");
    if (!isConnectorPlatform(platform)) {
      throw invalid(`no built-in connector for ${platform} (built in: ${CONNECTOR_PLATFORMS.join(", ")})`);
    }
    const spec = SOURCES[platform];
    const source = spec.clean(rawSource);
    if (!spec.pattern.test(source)) throw invalid(`source must be ${spec.what}`);
    const record = await this.store.connectors.put(channel, platform, source, Date.now());
    this.changed(channel);
    return toView(record);
  }

  async list(ctx: AuthContext, channel: string): Promise<Connector[]> {
    await this.authorize(ctx, channel, "moderator");
    return (await this.store.connectors.list(channel)).map(toView);
  }

  async remove(ctx: AuthContext, channel: string, platform: string): Promise<void> {
    await this.authorize(ctx, channel, "owner");
    if (!(await this.store.connectors.remove(channel, platform))) throw notFound("connector");
    this.changed(channel);
  }

  private async authorize(ctx: AuthContext, channel: string, least: "owner" | "moderator"): Promise<void> {
    const state = await this.channels.state(channel);
    if (!hasRole(state, ctx.user, least)) {
      throw forbidden(least === "owner" ? "only the channel's owner manages its connectors" : "moderators only");
    }
  }
}

function isConnectorPlatform(platform: string): platform is ConnectorPlatform {
  return (CONNECTOR_PLATFORMS as readonly string[]).includes(platform);
}

function toView(r: ConnectorRecord): Connector {
  const view: Connector = { platform: r.platform, source: r.source, state: r.state, lastMessageAt: r.lastMessageAt };
  if (r.error !== null) view.error = r.error;
  return view;
}
