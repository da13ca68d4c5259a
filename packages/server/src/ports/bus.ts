/**
 * ClusterBus port: best-effort notifications to every node (including this one) — session
 * revocations that must close sockets everywhere, channel changes that every node's cache
 * must pick up. Not for chat events: those go through the Log.
 */
export type BusMessage =
  | { type: "session_revoked"; sessionId: string; userId: string }
  | { type: "channel_changed"; channel: string };

export interface ClusterBus {
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}
