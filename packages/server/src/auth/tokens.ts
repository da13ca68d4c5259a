/**
 * Session tokens: HS256 JWTs naming the user and the server-side session. The signature
 * proves who issued it; the session row (cached) says whether it was revoked.
 */
import { errors, jwtVerify, SignJWT } from "jose";

export interface TokenClaims {
  userId: string;
  sessionId: string;
}

export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
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
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: "chorus", algorithms: ["HS256"] });
      const sid = payload["sid"];
      if (typeof payload.sub !== "string" || typeof sid !== "string") return null;
      return { userId: payload.sub, sessionId: sid };
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }
}
