/** The Limiter port's contract, run against every adapter. */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Limiter, LimiterRules } from "../../src/ports/limiter.js";
import { describeContract } from "./availability.js";

export const CONTRACT_RULES: LimiterRules = {
  burst: { points: 3, durationSec: 1 },
  slow: { points: 1, durationSec: 60 },
};

export function limiterContract(
  name: string,
  open: (rules: LimiterRules) => Promise<Limiter>,
  skip: string | null = null,
): void {
  describeContract(`Limiter contract: ${name}`, skip, () => {
    let limiter: Limiter;
    beforeEach(async () => {
      limiter = await open(CONTRACT_RULES);
    });
    afterEach(async () => {
      await limiter.close();
    });

    it("allows exactly `points` per window and then answers the wait", async () => {
      const key = `k${Math.random()}`;
      for (let i = 0; i < 3; i++) expect(await limiter.consume("burst", key)).toEqual({ allowed: true });
      const denied = await limiter.consume("burst", key);
      expect(denied.allowed).toBe(false);
      if (!denied.allowed) {
        expect(denied.retryAfterMs).toBeGreaterThan(0);
        expect(denied.retryAfterMs).toBeLessThanOrEqual(1000);
      }
    });

    it("keeps keys and rules apart, and refills after the window", async () => {
      const key = `k${Math.random()}`;
      expect((await limiter.consume("slow", key)).allowed).toBe(true);
      expect((await limiter.consume("slow", key)).allowed).toBe(false);
      expect((await limiter.consume("slow", `${key}-other`)).allowed).toBe(true);
      expect((await limiter.consume("burst", key)).allowed).toBe(true);
      for (let i = 0; i < 2; i++) await limiter.consume("burst", key);
      expect((await limiter.consume("burst", key)).allowed).toBe(false);
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await limiter.consume("burst", key)).allowed).toBe(true);
    });

    it("takes a rule given with the call (per-channel limits such as slow mode)", async () => {
      const key = `k${Math.random()}`;
      const slowMode = { name: "slow-mode:c1", points: 1, durationSec: 1 };
      expect(await limiter.consume(slowMode, key)).toEqual({ allowed: true });
      const denied = await limiter.consume(slowMode, key);
      expect(denied.allowed).toBe(false);
      if (!denied.allowed) expect(denied.retryAfterMs).toBeLessThanOrEqual(1000);
      // Another channel's rule with the same numbers is another budget.
      expect((await limiter.consume({ ...slowMode, name: "slow-mode:c2" }, key)).allowed).toBe(true);
      // A changed setting starts a fresh budget, and the window refills.
      expect((await limiter.consume({ ...slowMode, points: 2 }, key)).allowed).toBe(true);
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await limiter.consume(slowMode, key)).allowed).toBe(true);
    });

    it("records without refusing, peeks without counting, resets, and blocks for a time", async () => {
      const key = `k${Math.random()}`;
      expect(await limiter.peek("burst", key)).toEqual({ consumed: 0, exhausted: false, msBeforeReset: 0 });
      for (let i = 1; i <= 5; i++) {
        const usage = await limiter.record("burst", key);
        expect(usage.consumed).toBe(i);
        expect(usage.exhausted).toBe(i >= 3);
      }
      const peeked = await limiter.peek("burst", key);
      expect(peeked).toMatchObject({ consumed: 5, exhausted: true });
      expect(peeked.msBeforeReset).toBeGreaterThan(0);
      expect(peeked.msBeforeReset).toBeLessThanOrEqual(1000);
      expect((await limiter.peek("burst", key)).consumed).toBe(5);
      // Recorded points are the consume budget's points too.
      expect((await limiter.consume("burst", key)).allowed).toBe(false);
      await limiter.reset("burst", key);
      expect((await limiter.peek("burst", key)).consumed).toBe(0);
      expect((await limiter.consume("burst", key)).allowed).toBe(true);

      const blocked = `b${Math.random()}`;
      await limiter.block("slow", blocked, 300);
      const during = await limiter.peek("slow", blocked);
      expect(during.exhausted).toBe(true);
      expect(during.msBeforeReset).toBeGreaterThan(0);
      // Whole seconds: a sub-second block must still end (Redis expiries are set in seconds).
      expect(during.msBeforeReset).toBeLessThanOrEqual(1000);
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await limiter.peek("slow", blocked)).exhausted).toBe(false);
    });

    it("rejects unknown rules loudly", async () => {
      await expect(limiter.consume("nope", "k")).rejects.toThrow();
      await expect(limiter.record("nope", "k")).rejects.toThrow();
      await expect(limiter.peek("nope", "k")).rejects.toThrow();
    });
  });
}
