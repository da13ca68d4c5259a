/**
 * ClusterBus port: best-effort notifications to every node (including this one) — session
 * revocations that must close sockets everywhere, channel changes that every node's cache
 * must pick up, moderator-only events every node's moderators must see. Not for chat events:
 * those go through the Log.
 *
 * Contract (pinned by test/contracts/bus.contract.ts, run against every adapter):
 * - A published message reaches every subscriber on every node, the publisher's own node
 *   included, at most once (a node that is disconnected at the time misses it).
 * - Delivery is always asynchronous: no subscriber runs inside `publish`, on any adapter, so
 *   a publisher never re-enters its own subscribers and code behaves the same embedded and
 *   distributed. Subscribers may run before or after `publish` resolves.
 * - Messages from one node reach each subscriber in the order they were published there.
 * - A subscriber that throws does not keep the message from the others.
 * - After unsubscribing (or `close`) a subscriber receives nothing more.
 */
import type { ChannelEvent, ChannelStats } from "@chorus/protocol";
import type { SanctionRecord, SiteBanRecord } from "./store.js";

export type BusMessage =
  | { type: "session_revoked"; sessionId: string; userId: string }
  | { type: "channel_changed"; channel: string }
  /** An unlogged event for the channel's moderators on every node (held messages and their fate). */
  | { type: "moderator_event"; channel: string; event: ChannelEvent }
  /** A channel's connectors were configured, re-pointed or removed: every node's supervisor looks again. */
  | { type: "connectors_changed"; channel: string }
  /** An ingest key was revoked: every node forgets it at once. */
  | { type: "ingest_key_revoked"; id: string }
  /** A ban or timeout was imposed (or lifted: null): every node applies it to its cached state at once. */
  | { type: "sanction_changed"; channel: string; userId: string; sanction: SanctionRecord | null }
  /** A channel's analysis leader published its stats: every node's subscribers get them. */
  | { type: "channel_stats"; channel: string; stats: ChannelStats }
  /**
   * An admin set (`added`) or lifted (`liftedId`) a site-wide ban: every node applies it on
   * receipt, closes what it covers, and reloads the list from the store behind it.
   */
  | { type: "site_bans_changed"; added: SiteBanRecord | null; liftedId: string | null };

export type BusHandler = (message: BusMessage) => void;

export interface ClusterBus {
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}
