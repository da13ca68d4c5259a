/** Which platforms this server can read by itself, and how each connector is made. */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { ConnectorSink } from "./connector.js";
import type { ConnectorFactory } from "./supervisor.js";
import { TwitchConnector } from "./twitch/twitch-connector.js";

/**
 * Platforms a channel can be connected to. Twitch is read by a connector this server runs;
 * Kick publishes chat only as webhooks, so its connector is passive: it names the Kick channel
 * whose deliveries (`POST /api/webhooks/kick`) belong to this channel, and nothing runs.
 */
export const CONNECTOR_PLATFORMS = ["twitch", "kick"] as const;
export const PASSIVE_PLATFORMS: ReadonlySet<string> = new Set(["kick"]);
export type ConnectorPlatform = (typeof CONNECTOR_PLATFORMS)[number];

/** What a connector's `source` must look like, per platform (checked before it is stored). */
export const SOURCE_PATTERNS: Record<ConnectorPlatform, RegExp> = {
  // A Twitch login: it goes into the JOIN line.
  twitch: /^[a-z0-9_]{3,25}$/,
  // A Kick channel slug.
  kick: /^[a-z0-9_-]{1,64}$/,
};

export function connectorFactory(config: Config, logger: Logger): ConnectorFactory {
  return (platform: string, source: string, sink: ConnectorSink) => {
    switch (platform) {
      case "twitch":
        return new TwitchConnector({
          url: config.connectors.twitchIrcUrl,
          channel: source,
          sink,
          logger: logger.child({ connector: "twitch", source }),
        });
      default:
        return null;
    }
  };
}
