import { describe, expect, it } from "vitest";
import { backoffMs } from "./login-throttle.js";

describe("backoffMs", () => {
  const options = { freeFailures: 5, backoffMaxSec: 900 };

  it("is free for the first failures, then doubles from one second", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, options))).toEqual([0, 0, 0, 0, 0]);
    expect([6, 7, 8, 9, 10].map((n) => backoffMs(n, options))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it("stops at the cap, however long the run of failures", () => {
    expect(backoffMs(15, options)).toBe(512_000);
    expect(backoffMs(16, options)).toBe(900_000);
    expect(backoffMs(1_000, options)).toBe(900_000);
    expect(backoffMs(Number.MAX_SAFE_INTEGER, options)).toBe(900_000);
  });
});
