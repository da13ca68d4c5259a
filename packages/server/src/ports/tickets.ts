/**
 * Tickets port: single-use, short-lived secrets that stand for a session when a client opens a
 * WebSocket or an SSE stream (`?ticket=`), so that no long-lived token travels in a URL or sits
 * in a proxy's access log. Redeemable on any node.
 *
 * Contract (test/contracts/tickets.contract.ts): a ticket redeems once, within its time to live,
 * to what it was issued for; a second redemption, an expired or an unknown ticket gives null.
 */
export interface TicketGrant {
  userId: string;
  sessionId: string;
}

export interface Tickets {
  issue(grant: TicketGrant, ttlMs: number): Promise<string>;
  redeem(ticket: string): Promise<TicketGrant | null>;
  close(): Promise<void>;
}
