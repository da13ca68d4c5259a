import { createSecretKey } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { TokenSigner } from "./tokens.js";

const SECRET = "a test secret that is long enough for HS256 signing";
const key = createSecretKey(new TextEncoder().encode(SECRET));

describe("session tokens", () => {
  it("accepts its own tokens until they expire", async () => {
    const signer = new TokenSigner(SECRET);
    const token = await signer.sign({ userId: "u1", sessionId: "s1" }, Date.now() + 60_000);
    expect(await signer.verify(token)).toEqual({ userId: "u1", sessionId: "s1" });
    const expired = await signer.sign({ userId: "u1", sessionId: "s1" }, Date.now() - 1_000);
    expect(await signer.verify(expired)).toBeNull();
  });

  it("refuses a correctly signed token without exp (it would never expire)", async () => {
    const forever = await new SignJWT({ sid: "s1" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setIssuer("chorus")
      .sign(key);
    expect(await new TokenSigner(SECRET).verify(forever)).toBeNull();
  });

  it("refuses another key's, another issuer's and an unsigned token", async () => {
    const signer = new TokenSigner(SECRET);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const base = () => new SignJWT({ sid: "s1" }).setSubject("u1").setExpirationTime(exp);
    const otherKey = createSecretKey(new TextEncoder().encode("another secret, long enough for HS256 too"));
    expect(
      await signer.verify(await base().setProtectedHeader({ alg: "HS256" }).setIssuer("chorus").sign(otherKey)),
    ).toBeNull();
    expect(
      await signer.verify(await base().setProtectedHeader({ alg: "HS256" }).setIssuer("evil").sign(key)),
    ).toBeNull();
    const [header, payload] = (await base().setProtectedHeader({ alg: "HS256" }).setIssuer("chorus").sign(key)).split(
      ".",
    );
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
    expect(header).toBeDefined();
    expect(await signer.verify(none)).toBeNull();
  });
});
