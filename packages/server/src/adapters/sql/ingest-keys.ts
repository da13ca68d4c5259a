/** Ingest keys: looked up by the hash of the secret on every ingest request (revocation is immediate). */
import type { Kysely } from "kysely";
import type { IngestKeyRecord, IngestKeyStore } from "../../ports/store.js";
import { num, numOrNull } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlIngestKeys implements IngestKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(k: IngestKeyRecord): Promise<void> {
    await this.db
      .insertInto("ingest_keys")
      .values({
        id: k.id,
        channel: k.channel,
        label: k.label,
        secret_hash: k.secretHash,
        created_at: k.createdAt,
        last_used_at: k.lastUsedAt,
      })
      .execute();
  }

  async list(channel: string): Promise<IngestKeyRecord[]> {
    const rows = await this.db
      .selectFrom("ingest_keys")
      .selectAll()
      .where("channel", "=", channel)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toKey);
  }

  async revoke(channel: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("ingest_keys")
      .where("channel", "=", channel)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async byHash(secretHash: string): Promise<IngestKeyRecord | null> {
    const row = await this.db
      .selectFrom("ingest_keys")
      .selectAll()
      .where("secret_hash", "=", secretHash)
      .executeTakeFirst();
    return row ? toKey(row) : null;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable("ingest_keys").set({ last_used_at: at }).where("id", "=", id).execute();
  }
}

function toKey(row: Database["ingest_keys"]): IngestKeyRecord {
  return {
    id: row.id,
    channel: row.channel,
    label: row.label,
    secretHash: row.secret_hash,
    createdAt: num(row.created_at),
    lastUsedAt: numOrNull(row.last_used_at),
  };
}
