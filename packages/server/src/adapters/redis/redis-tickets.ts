/** Tickets in Redis: `SET … PX ttl` to issue, `GETDEL` to redeem, so a ticket works once on any node. */
import type { Redis } from "ioredis";
import type { TicketGrant, Tickets } from "../../ports/tickets.js";
import { newTicket } from "../embedded/memory-tickets.js";

const ticketKey = (ticket: string) => `chorus:ticket:${ticket}`;

export class RedisTickets implements Tickets {
  constructor(private readonly redis: Redis) {}

  async issue(grant: TicketGrant, ttlMs: number): Promise<string> {
    const ticket = newTicket();
    await this.redis.set(ticketKey(ticket), JSON.stringify(grant), "PX", Math.max(1, Math.ceil(ttlMs)));
    return ticket;
  }

  async redeem(ticket: string): Promise<TicketGrant | null> {
    const raw = await this.redis.getdel(ticketKey(ticket));
    if (raw === null) return null;
    try {
      const grant = JSON.parse(raw) as Partial<TicketGrant>;
      return typeof grant.userId === "string" && typeof grant.sessionId === "string"
        ? { userId: grant.userId, sessionId: grant.sessionId }
        : null;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {}
}
