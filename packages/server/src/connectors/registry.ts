/** Which platforms this server can read by itself, and how each connector is made. */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { ConnectorSink } from "./connector.js";
import type { ConnectorFactory } from "./supervisor.js";
import { TwitchConnector } from "./twitch/twitch-connector.js";

/** Platforms with a built-in connector (Kick publishes chat only as webhooks: a producer, not a connector). */
export const CONNECTOR_PLATFORMS = ["twitch"] as const;
export type ConnectorPlatform = (typeof CONNECTOR_PLATFORMS)[number];

/** What a connector's `source` must look like, per platform (checked before it is stored). */
export const SOURCE_PATTERNS: Record<ConnectorPlatform, RegExp> = {
  // A Twitch login: it goes into the JOIN line.
  twitch: /^[a-z0-9_]{3,25}$/,
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
