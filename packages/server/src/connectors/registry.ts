/** Which platforms this server can read by itself, and how each connector is made. */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { ConnectorSink } from "./connector.js";
import type { ConnectorFactory } from "./supervisor.js";
import { TwitchConnector } from "./twitch/twitch-connector.js";
import { YouTubeConnector } from "./youtube/youtube-connector.js";

/**
 * Platforms a channel can be connected to. Twitch is read by a connector this server runs;
 * Kick publishes chat only as webhooks, so its connector is passive: it names the Kick channel
 * whose deliveries (`POST /api/webhooks/kick`) belong to this channel, and nothing runs.
 */
export const CONNECTOR_PLATFORMS = ["twitch", "youtube", "kick"] as const;
export const PASSIVE_PLATFORMS: ReadonlySet<string> = new Set(["kick"]);
export type ConnectorPlatform = (typeof CONNECTOR_PLATFORMS)[number];

/** What a connector's `source` is per platform: how it is written down, and what it must look like. */
export const SOURCES: Record<ConnectorPlatform, { clean(raw: string): string; pattern: RegExp; what: string }> = {
  // A Twitch login: it goes into the JOIN line.
  twitch: {
    clean: (raw) => raw.trim().replace(/^#/, "").toLowerCase(),
    pattern: /^[a-z0-9_]{3,25}$/,
    what: "a Twitch channel name",
  },
  kick: { clean: (raw) => raw.trim().toLowerCase(), pattern: /^[a-z0-9_-]{1,64}$/, what: "a Kick channel slug" },
  // A video id (11 characters) or a live chat id: case matters.
  youtube: {
    clean: (raw) => raw.trim(),
    pattern: /^[A-Za-z0-9_-]{11,200}$/,
    what: "a YouTube video id or live chat id",
  },
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
      case "youtube":
        // Without an API key the server cannot read YouTube: the connector's state says so.
        if (config.connectors.youtubeApiKey === null) return null;
        return new YouTubeConnector({
          apiUrl: config.connectors.youtubeApiUrl,
          apiKey: config.connectors.youtubeApiKey,
          source,
          sink,
          logger: logger.child({ connector: "youtube", source }),
        });
      default:
        return null;
    }
  };
}
