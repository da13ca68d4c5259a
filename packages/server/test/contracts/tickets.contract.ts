/** The Tickets port's contract, run against every adapter. */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Tickets } from "../../src/ports/tickets.js";
import { describeContract } from "./availability.js";

export function ticketsContract(name: string, open: () => Promise<Tickets>, skip: string | null = null): void {
  describeContract(`Tickets contract: ${name}`, skip, () => {
    let tickets: Tickets;
    beforeEach(async () => {
      tickets = await open();
    });
    afterEach(async () => {
      await tickets.close();
    });

    it("redeems once, to what it was issued for", async () => {
      const grant = { userId: "u1", sessionId: "s1" };
      const ticket = await tickets.issue(grant, 5_000);
      expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const other = await tickets.issue({ userId: "u2", sessionId: "s2" }, 5_000);
      expect(other).not.toBe(ticket);
      expect(await tickets.redeem(ticket)).toEqual(grant);
      expect(await tickets.redeem(ticket)).toBeNull();
      expect(await tickets.redeem(other)).toEqual({ userId: "u2", sessionId: "s2" });
    });

    it("gives nothing for an unknown or expired ticket, and one redemption among racing ones", async () => {
      expect(await tickets.redeem("no-such-ticket")).toBeNull();
      const short = await tickets.issue({ userId: "u", sessionId: "s" }, 100);
      await new Promise((r) => setTimeout(r, 200));
      expect(await tickets.redeem(short)).toBeNull();
      const raced = await tickets.issue({ userId: "u", sessionId: "s" }, 5_000);
      const results = await Promise.all(Array.from({ length: 10 }, () => tickets.redeem(raced)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });
  });
}
