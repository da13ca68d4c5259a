/**
 * A built-in connector reads one channel of another platform and hands what it reads to a
 * sink: messages in the ingest item shape (the same path as `POST /ingest/:platform`, so they
 * are normalised and moderated like any ingested message) and the origin's own moderation,
 * which Chorus mirrors onto the copies. One runs per Chorus channel and platform, on the node
 * that holds the lease for it (connectors/supervisor.ts).
 */
import type { ConnectorState, IngestItem } from "@chorus/protocol";

export interface ConnectorSink {
  /** Messages read from the origin, in order. Resolves once they went through the ingest path. */
  messages(items: IngestItem[]): Promise<void>;
  /** The origin deleted one message (by the externalId it was ingested with). */
  deleted(externalId: string): Promise<void>;
  /**
   * The origin removed a user's messages: banned (`durationSec` undefined) or timed out; or,
   * with `login` null, cleared the whole chat.
   */
  cleared(target: { login: string; durationSec?: number } | null): Promise<void>;
}

export interface ConnectorStatus {
  state: ConnectorState;
  /** When the last message arrived from the origin (ms), if any. */
  lastMessageAt: number | null;
  /** Why it is in `error` (or what went wrong last), for the dashboard. */
  error?: string;
}

export interface Connector {
  /** Starts reading; reconnects by itself until stopped. */
  start(): void;
  /** Stops for good: closes the connection and any timer; resolves when nothing runs any more. */
  stop(): Promise<void>;
  status(): ConnectorStatus;
  /** Called whenever the status changes (for the dashboard and the API). */
  onStatus(listener: (status: ConnectorStatus) => void): void;
}
