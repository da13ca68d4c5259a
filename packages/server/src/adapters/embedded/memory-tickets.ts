/** In-process Tickets: one node, so a map with expiry times is the whole truth. */
import { randomBytes } from "node:crypto";
import type { TicketGrant, Tickets } from "../../ports/tickets.js";

/** Expired tickets are swept when this many are outstanding (each is a few dozen bytes). */
const SWEEP_AT = 10_000;

export class MemoryTickets implements Tickets {
  private readonly live = new Map<string, { grant: TicketGrant; expiresAt: number }>();

  async issue(grant: TicketGrant, ttlMs: number): Promise<string> {
    if (this.live.size >= SWEEP_AT) this.sweep();
    const ticket = newTicket();
    this.live.set(ticket, { grant, expiresAt: Date.now() + ttlMs });
    return ticket;
  }

  async redeem(ticket: string): Promise<TicketGrant | null> {
    const entry = this.live.get(ticket);
    if (!entry) return null;
    this.live.delete(ticket);
    return entry.expiresAt > Date.now() ? entry.grant : null;
  }

  async close(): Promise<void> {
    this.live.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [ticket, entry] of this.live) if (entry.expiresAt <= now) this.live.delete(ticket);
  }
}

/** 256 random bits, URL-safe. */
export function newTicket(): string {
  return randomBytes(32).toString("base64url");
}
