/**
 * Per-channel ingest keys: the owner creates one with a label, sees its secret once, lists and
 * revokes them. Only the SHA-256 of a secret is stored (a secret is 256 random bits, so a
 * plain hash is enough: there is nothing to brute-force). Every ingest request looks its key
 * up in the store, so a revoked key stops working at once on every node.
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

export class IngestKeys {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly channels: ChannelService,
  ) {}

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
  }

  /** The key a bearer secret belongs to; `unauthorized` for anything else (same answer for every failure). */
  async authenticate(secret: string | undefined): Promise<IngestKeyRecord> {
    if (secret === undefined || !secret.startsWith(SECRET_PREFIX) || secret.length > 200) {
      throw unauthorized("an ingest key is required (Authorization: Bearer <key>)");
    }
    const key = await this.store.ingestKeys.byHash(hashSecret(secret));
    if (!key) throw unauthorized("unknown or revoked ingest key");
    const now = Date.now();
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
