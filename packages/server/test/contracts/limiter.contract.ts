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

    it("rejects unknown rules loudly", async () => {
      await expect(limiter.consume("nope", "k")).rejects.toThrow();
    });
  });
}
