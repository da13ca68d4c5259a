/** Login sessions: created at login, revoked at logout, pruned when expired. */
import type { Kysely } from "kysely";
import type { SessionRecord, SessionStore } from "../../ports/store.js";
import { num, numOrNull } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlSessions implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        id: s.id,
        user_id: s.userId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        revoked_at: s.revokedAt,
      })
      .execute();
  }

  async byId(id: string): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      userId: row.user_id,
      createdAt: num(row.created_at),
      expiresAt: num(row.expires_at),
      revokedAt: numOrNull(row.revoked_at),
    };
  }

  async revoke(id: string, at: number): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .execute();
  }
}
