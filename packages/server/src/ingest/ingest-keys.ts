/**
 * Per-channel ingest keys: the owner creates one with a label, sees its secret once, lists and
 * revokes them. Only the SHA-256 of a secret is stored (a secret is 256 random bits, so a
 * plain hash is enough: there is nothing to brute-force). A key found in the store is
 * remembered for a few seconds (the store is not read on every request: with the embedded
 * database that read queued behind the commits); a revocation removes it from this node's
 * memory at once and from every other node's through the bus (`ingest_key_revoked`), as
 * session revocations travel.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IngestKey } from "@chorus/protocol";
import type { AuthContext } from "../auth/auth-service.js";
import type { ChannelService } from "../channels/channel-service.js";
import { hasRole } from "../chat/permissions.js";
import { forbidden, notFound, unauthorized } from "../errors.js";
import type { IngestKeyRecord, Store } from "../ports/store.js";

const SECRET_PREFIX = "chorus_ik_";
/** `lastUsedAt` is written at most this often per key and node (not on every request). */
const TOUCH_EVERY_MS = 60_000;
const LABEL_MAX = 100;
/** How long a key found in the store is trusted without asking again (revocations clear it sooner). */
const REMEMBER_MS = 30_000;
const REMEMBERED_MAX = 10_000;

export class IngestKeys {
  private readonly touched = new Map<string, number>();
  private readonly known = new Map<string, { key: IngestKeyRecord; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly channels: ChannelService,
    /** Tells the other nodes (the bus) that a key was revoked. */
    private readonly revoked: (id: string) => void = () => undefined,
  ) {}

  /** A key was revoked (here or on another node): stop trusting it at once. */
  forget(id: string): void {
    for (const [hash, entry] of this.known) if (entry.key.id === id) this.known.delete(hash);
  }

  async create(
    ctx: AuthContext,
    channel: string,
    label: string | undefined,
  ): Promise<{ key: IngestKey; secret: string }> {
    await this.authorize(ctx, channel);
    const secret = `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
    const record: IngestKeyRecord = {
      id: randomUUID(),
      channel,
      label: cleanLabel(label),
      secretHash: hashSecret(secret),
      createdAt: Date.now(),
      lastUsedAt: null,
    };
    await this.store.ingestKeys.create(record);
    return { key: toView(record), secret };
  }

  async list(ctx: AuthContext, channel: string): Promise<IngestKey[]> {
    await this.authorize(ctx, channel);
    return (await this.store.ingestKeys.list(channel)).map(toView);
  }

  async revoke(ctx: AuthContext, channel: string, id: string): Promise<void> {
    await this.authorize(ctx, channel);
    if (!(await this.store.ingestKeys.revoke(channel, id))) throw notFound("ingest key");
    this.forget(id);
    this.revoked(id);
  }

  /** The key a bearer secret belongs to; `unauthorized` for anything else (same answer for every failure). */
  async authenticate(secret: string | undefined): Promise<IngestKeyRecord> {
    if (secret === undefined || !secret.startsWith(SECRET_PREFIX) || secret.length > 200) {
      throw unauthorized("an ingest key is required (Authorization: Bearer <key>)");
    }
    const hash = hashSecret(secret);
    const now = Date.now();
    const remembered = this.known.get(hash);
    let key = remembered && remembered.until > now ? remembered.key : null;
    if (!key) {
      key = await this.store.ingestKeys.byHash(hash);
      if (!key) throw unauthorized("unknown or revoked ingest key");
      this.known.set(hash, { key, until: now + REMEMBER_MS });
      if (this.known.size > REMEMBERED_MAX) {
        const oldest = this.known.keys().next().value;
        if (oldest !== undefined) this.known.delete(oldest);
      }
    }
    if (now - (this.touched.get(key.id) ?? 0) >= TOUCH_EVERY_MS) {
      this.touched.set(key.id, now);
      await this.store.ingestKeys.touch(key.id, now);
    }
    return key;
  }

  private async authorize(ctx: AuthContext, channel: string): Promise<void> {
    const state = await this.channels.state(channel);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the channel's owner manages its ingest keys");
  }
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function cleanLabel(label: string | undefined): string | null {
  const l = label
    ?.normalize("NFC")
    .replace(/\p{Cc}/gu, "")
    .trim();
  return l ? [...l].slice(0, LABEL_MAX).join("") : null;
}

function toView(k: IngestKeyRecord): IngestKey {
  return { id: k.id, label: k.label, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt };
}
