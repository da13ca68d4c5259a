import { describe, expect, it } from "vitest";
import { MemoryLimiter } from "../../adapters/embedded/memory-limiter.js";
import { guestsCheck } from "./guests.js";
import { identifiersCheck } from "./identifiers.js";
import { rateLimitCheck } from "./rate-limit.js";
import { testDraft, testUser } from "./test-draft.js";
import { textCheck } from "./text.js";

describe("text check", () => {
  it("rewrites to the normalised text", () => {
    expect(textCheck.run(testDraft({ text: "  e\u0301 hi  " }))).toEqual({ kind: "rewrite", text: "é hi" });
  });
  it.each([[42], [""], ["a\u0000b"], ["x".repeat(501)]])("rejects %j as invalid_request", (text) => {
    const verdict = textCheck.run(testDraft({ text }));
    expect(verdict).toMatchObject({ kind: "reject", error: { code: "invalid_request" } });
  });
});

describe("identifiers check", () => {
  it("passes ordinary nonces and reply ids", () => {
    expect(identifiersCheck.run(testDraft({ nonce: "n-1", replyTo: "0b7a5c1e-1d9e-4c56-9d1a-2a9e8a3e4f10" }))).toEqual({
      kind: "pass",
    });
  });
  it.each([
    ["nonce", { nonce: "p0\u0000" }],
    ["nonce", { nonce: "\uD800x" }],
    ["nonce", { nonce: "" }],
    ["nonce", { nonce: "n".repeat(65) }],
    ["replyTo", { replyTo: "x\u0000" }],
    ["replyTo", { replyTo: "x\uDC00" }],
    ["replyTo", { replyTo: "r".repeat(65) }],
  ])("rejects a bad %s (%j) before it can reach a group commit", (_field, input) => {
    expect(identifiersCheck.run(testDraft(input))).toMatchObject({
      kind: "reject",
      error: { code: "invalid_request" },
    });
  });
});

describe("guests check", () => {
  const guest = testUser({ isGuest: true, passwordHash: null });
  it("lets guests chat where the channel allows them", () => {
    expect(guestsCheck.run(testDraft({ user: guest }))).toEqual({ kind: "pass" });
  });
  it("refuses guests where they are not allowed, unless VIP or above", () => {
    const settings = { guestsAllowed: false };
    expect(guestsCheck.run(testDraft({ user: guest, settings }))).toMatchObject({
      kind: "reject",
      error: { code: "mode_restricted" },
    });
    expect(guestsCheck.run(testDraft({ user: guest, settings, roles: [[guest.id, "vip"]] }))).toEqual({ kind: "pass" });
    expect(guestsCheck.run(testDraft({ settings }))).toEqual({ kind: "pass" });
  });
});

describe("rate limit check", () => {
  it("charges the sender's budget and answers the wait when it is spent; exempt authors skip it", async () => {
    const limiter = new MemoryLimiter({ message: { points: 2, durationSec: 30 } });
    const check = rateLimitCheck(limiter);
    const user = testUser();
    expect(await check.run(testDraft({ user }))).toEqual({ kind: "pass" });
    expect(await check.run(testDraft({ user }))).toEqual({ kind: "pass" });
    const denied = await check.run(testDraft({ user }));
    expect(denied).toMatchObject({ kind: "reject", error: { code: "rate_limited" } });
    if (denied.kind === "reject") expect(denied.error.retryAfterMs).toBeGreaterThan(0);
    expect(await check.run(testDraft({ user, exempt: true }))).toEqual({ kind: "pass" });
    expect(await check.run(testDraft())).toEqual({ kind: "pass" });
  });
});
