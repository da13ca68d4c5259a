/**
 * Consumer port: a named consumer group over the events of every channel in the cluster —
 * for work that must see all channels, not only the ones this node watches (analysis,
 * webhook delivery, connector bookkeeping, retention). Every node may join a group; each
 * event is then handled by one member of the group somewhere in the cluster.
 *
 * Contract (pinned by test/contracts/consumer.contract.ts, run against every adapter):
 * - At-least-once: every event appended after the group first existed is delivered to some
 *   member until a handler resolves for it (that is the ack). A handler that rejects gets the
 *   same events again later, with a higher `attempt` and a growing pause; a handler that
 *   wants to give up on an event resolves. Duplicates are possible (a member died after its
 *   work, before the ack; a redelivery), so handlers are idempotent (events carry channel+seq).
 * - Start: events appended before the group first existed are not delivered. Events appended
 *   while no member runs are kept for the group and delivered when one joins.
 * - Order: a delivery holds events of one channel in ascending seq order. One member hands
 *   one channel's events to its handler in seq order, redeliveries first; across members
 *   (nodes) there is no order, so work that needs a channel's events strictly in order holds
 *   that channel's Lease and reads through the Log.
 * - A member handles one delivery at a time; its handler must settle.
 * - Dying: a member that stops or dies with events in hand leaves them to the group. Redis:
 *   they stay pending and another member claims them after the claim idle time. Embedded:
 *   the process is the cluster, so nothing outlives it — the group's position and its
 *   undelivered events are in memory, and a restart starts the group afresh (what was not
 *   handled before a crash is not redelivered; work that must survive a restart keeps its
 *   own checkpoint per channel and catches up through the Log).
 * - A group that stops being read holds its events: Redis keeps the streams untrimmed behind
 *   it (up to their MAXLEN cap), the embedded adapter up to its backlog cap.
 */
import type { LoggedEvent } from "@chorus/protocol";

export interface Delivery {
  channel: string;
  /** One channel's events, ascending seq. */
  events: readonly LoggedEvent[];
  /** 1 on the first delivery of these events to this member, higher on redeliveries. */
  attempt: number;
}

/** Resolving acknowledges the delivery; rejecting asks for it again later. */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface ConsumerMember {
  readonly group: string;
  /** Stops taking deliveries; resolves once the delivery in hand (if any) settled. */
  stop(): Promise<void>;
}

export interface Consumers {
  /** Joins `group` as one more member on this node, delivering to `handler` until stopped. */
  consume(group: string, handler: DeliveryHandler): ConsumerMember;
  /** Stops every member started here. */
  close(): Promise<void>;
}
