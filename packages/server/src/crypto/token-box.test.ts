import { describe, expect, it } from "vitest";
import { TokenBox } from "./token-box.js";

describe("token box", () => {
  it("seals with a fresh nonce each time, opens, and refuses a tampered or foreign value", () => {
    const box = new TokenBox(TokenBox.randomKey());
    const a = box.seal("oauth-token-123");
    const b = box.seal("oauth-token-123");
    expect(a).not.toBe(b);
    expect(a).not.toContain("oauth-token-123");
    expect(box.open(a)).toBe("oauth-token-123");
    const [head, rest] = a.split(":");
    const parts = (rest ?? "").split(".");
    const flipped = Buffer.from(parts[1] ?? "", "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open(`${head}:${parts[0]}.${flipped.toString("base64url")}.${parts[2]}`)).toThrow();
    expect(() => new TokenBox(TokenBox.randomKey()).open(a)).toThrow();
    expect(() => box.open("plain")).toThrow();
    expect(() => new TokenBox("short")).toThrow();
  });
});
