/**
 * Secrets at rest (the owners' platform tokens): AES-256-GCM with a random 96-bit nonce per
 * value, authenticated, so a changed ciphertext fails to open instead of yielding garbage.
 * The key is `TOKEN_ENCRYPTION_KEY` (64 hex characters), or one generated once and kept in the
 * store's secrets. Format: `v1:<base64url nonce>.<base64url ciphertext>.<base64url tag>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export class TokenBox {
  private readonly key: Buffer;

  constructor(keyHex: string) {
    if (!/^[0-9a-f]{64}$/i.test(keyHex)) throw new Error("the token encryption key must be 64 hex characters");
    this.key = Buffer.from(keyHex, "hex");
  }

  static randomKey(): string {
    return randomBytes(32).toString("hex");
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    const parts = [nonce, body, cipher.getAuthTag()].map((b) => b.toString("base64url"));
    return `v1:${parts.join(".")}`;
  }

  open(sealed: string): string {
    const [version, rest] = sealed.split(":", 2);
    const [nonce, body, tag] = (rest ?? "").split(".").map((p) => Buffer.from(p, "base64url"));
    if (version !== "v1" || !nonce || !body || !tag) throw new Error("not a sealed token");
    const decipher = createDecipheriv("aes-256-gcm", this.key, nonce);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  }
}
