/** argon2id with OWASP's minimum parameters (m=19 MiB, t=2, p=1). */
import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id is an ambient const enum (value 2), which isolated modules cannot read.
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Verified against when the user does not exist, so that an unknown username costs the same
// time as a wrong password and the two cannot be told apart.
let decoy: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    decoy ??= hashPassword("decoy password that never matches");
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
