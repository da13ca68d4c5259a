import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff, backoffCeiling, DEFAULT_BACKOFF, fullJitter } from "../src/backoff.js";

describe("backoffCeiling", () => {
  it("doubles from the base and stops at the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n, 500, 30_000))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });

  it("stays finite for absurd attempt counts", () => {
    expect(backoffCeiling(10_000, 500, 30_000)).toBe(30_000);
    expect(backoffCeiling(-3, 500, 30_000)).toBe(500);
  });
});

describe("fullJitter", () => {
  it("is always within [0, ceiling)", () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const delay = fullJitter(attempt, 500, 30_000, () => r);
        const ceiling = backoffCeiling(attempt, 500, 30_000);
        return Number.isInteger(delay) && delay >= 0 && delay < ceiling;
      }),
    );
  });

  it("uses the whole window: 0 at r=0, just under the ceiling at r→1", () => {
    expect(fullJitter(3, 500, 30_000, () => 0)).toBe(0);
    expect(fullJitter(3, 500, 30_000, () => 0.999999)).toBe(3999);
    expect(fullJitter(3, 500, 30_000, () => 1)).toBe(3999);
  });
});

describe("Backoff", () => {
  it("widens the window per call and narrows it again after reset", () => {
    const backoff = new Backoff({ random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(250);
  });

  it("never exceeds the cap with the defaults", () => {
    const backoff = new Backoff({ random: () => 0.9999 });
    const delays = Array.from({ length: 40 }, () => backoff.next());
    expect(Math.max(...delays)).toBeLessThan(DEFAULT_BACKOFF.capMs);
    expect(delays.at(-1)).toBeGreaterThan(DEFAULT_BACKOFF.capMs * 0.99);
  });

  it("spreads clients: real randomness gives different delays", () => {
    const delays = new Set(Array.from({ length: 50 }, () => new Backoff({ capMs: 30_000 }).next()));
    expect(delays.size).toBeGreaterThan(10);
  });
});
