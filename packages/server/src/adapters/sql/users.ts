/** Users and their lookups (by id, by case-folded username). */
import type { Kysely } from "kysely";
import type { UserRecord, UserStore } from "../../ports/store.js";
import { num } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlUsers implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(u: UserRecord): Promise<void> {
    await this.db
      .insertInto("users")
      .values({
        id: u.id,
        username: u.username,
        display_name: u.displayName,
        color: u.color,
        password_hash: u.passwordHash,
        is_admin: u.isAdmin,
        is_guest: u.isGuest,
        created_at: u.createdAt,
      })
      .execute();
  }

  async byId(id: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async byUsername(username: string): Promise<UserRecord | null> {
    const row = await this.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async ensure(u: UserRecord): Promise<UserRecord> {
    await this.db
      .insertInto("users")
      .values({
        id: u.id,
        username: u.username,
        display_name: u.displayName,
        color: u.color,
        password_hash: u.passwordHash,
        is_admin: u.isAdmin,
        is_guest: u.isGuest,
        created_at: u.createdAt,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const stored = await this.byId(u.id);
    if (!stored) throw new Error(`user ${u.id} vanished after its insert`);
    return stored;
  }

  async setAdmin(id: string, isAdmin: boolean): Promise<void> {
    await this.db.updateTable("users").set({ is_admin: isAdmin }).where("id", "=", id).execute();
  }
}

function toUser(row: Database["users"]): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    color: row.color,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin,
    isGuest: row.is_guest,
    createdAt: num(row.created_at),
  };
}
