/**
 * Session tokens: HS256 JWTs naming the user and the server-side session. The signature
 * proves who issued it; the session row (cached) says whether it was revoked.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

export interface TokenClaims {
  userId: string;
  sessionId: string;
}

/** Verified tokens remembered, at most; the oldest are forgotten first. */
const VERIFIED_CACHE_MAX = 10_000;
/** A remembered verification is re-done at least this often. */
const VERIFIED_CACHE_TTL_MS = 5 * 60_000;

interface Verified {
  claims: TokenClaims;
  /** When to verify again: the token's expiry or the TTL, whichever is first. */
  until: number;
}

export class TokenSigner {
  private readonly key: KeyObject;
  /**
   * Every REST request and WebSocket auth verifies a token, and an HMAC verification through
   * WebCrypto cost ~90 µs here (measured under REST load: more than the rest of the request
   * path). A token string already verified is remembered until it expires (at most 5 min),
   * so the same client pays once. Only the signature check is skipped: revocation is still
   * decided by the session on every request.
   */
  private readonly verified = new Map<string, Verified>();

  constructor(secret: string) {
    // A KeyObject is imported once; a raw Uint8Array would be imported on every verify.
    this.key = createSecretKey(new TextEncoder().encode(secret));
  }

  sign(claims: TokenClaims, expiresAtMs: number): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(claims.userId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAtMs / 1000))
      .setIssuer("chorus")
      .sign(this.key);
  }

  /** The claims of a valid token, or null for anything else (bad signature, expired, malformed). */
  async verify(token: string): Promise<TokenClaims | null> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.claims;
    if (known) this.verified.delete(token);
    try {
      // A token without `exp` would never expire: refused even when its signature is good.
      const { payload } = await jwtVerify(token, this.key, {
        issuer: "chorus",
        algorithms: ["HS256"],
        requiredClaims: ["exp", "sub"],
      });
      const sid = payload["sid"];
      if (typeof payload.sub !== "string" || typeof sid !== "string") return null;
      const claims = { userId: payload.sub, sessionId: sid };
      const expiresAt = (payload.exp ?? 0) * 1000;
      this.remember(token, { claims, until: Math.min(expiresAt, now + VERIFIED_CACHE_TTL_MS) });
      return claims;
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }

  private remember(token: string, entry: Verified): void {
    if (this.verified.size >= VERIFIED_CACHE_MAX) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, entry);
  }
}
