/**
 * Connection tickets (OWASP WebSocket cheat sheet): a signed-in client asks for a ticket and
 * opens its WebSocket (`/api/ws?ticket=`) or SSE stream (`?ticket=`) with it. A ticket works
 * once, for `TICKET_TTL_MS`, and only while its session is valid — so the URL, which proxies
 * log, never carries the long-lived session token.
 */
import type { AuthContext, AuthService } from "../auth/auth-service.js";
import { unauthorized } from "../errors.js";
import type { Tickets } from "../ports/tickets.js";

export const TICKET_TTL_MS = 30_000;
/** What a ticket looks like (43 URL-safe characters today); anything else is not looked up. */
export const TICKET_PATTERN = "^[A-Za-z0-9_-]{16,128}$";
const TICKET_RE = new RegExp(TICKET_PATTERN);

export class ConnectionTickets {
  constructor(
    private readonly tickets: Tickets,
    private readonly auth: Pick<AuthService, "sessionContext">,
  ) {}

  async issue(ctx: AuthContext): Promise<{ ticket: string; expiresAt: number }> {
    const expiresAt = Date.now() + TICKET_TTL_MS;
    const ticket = await this.tickets.issue({ userId: ctx.user.id, sessionId: ctx.sessionId }, TICKET_TTL_MS);
    return { ticket, expiresAt };
  }

  /** The session the ticket stands for; 401 when it is unknown, used, expired or its session is over. */
  async redeem(ticket: string): Promise<AuthContext> {
    const grant = TICKET_RE.test(ticket) ? await this.tickets.redeem(ticket) : null;
    const ctx = grant ? await this.auth.sessionContext(grant.sessionId, grant.userId) : null;
    if (!ctx) throw unauthorized("invalid, used or expired ticket");
    return ctx;
  }
}

/** The `ticket` query parameter of a raw request URL, if any. */
export function ticketOf(url: string | undefined): string | null {
  const query = (url ?? "").split("?")[1];
  if (query === undefined) return null;
  return new URLSearchParams(query).get("ticket");
}
