/** Suspicious-user marks (restricted, monitored): one per user and channel, until lifted. */
import { USER_STATUSES, type UserStatusKind } from "@chorus/protocol";
import type { Kysely } from "kysely";
import type { UserStatusRecord, UserStatusStore } from "../../ports/store.js";
import { num } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlUserStatus implements UserStatusStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(s: UserStatusRecord): Promise<void> {
    const row = {
      channel: s.channel,
      user_id: s.userId,
      username: s.username,
      status: s.status,
      reason: s.reason,
      by_username: s.by,
      at: s.at,
    };
    await this.db
      .insertInto("channel_user_status")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["channel", "user_id"]).doUpdateSet({
          username: row.username,
          status: row.status,
          reason: row.reason,
          by_username: row.by_username,
          at: row.at,
        }),
      )
      .execute();
  }

  async remove(channel: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("channel_user_status")
      .where("channel", "=", channel)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(channel: string): Promise<UserStatusRecord[]> {
    const rows = await this.db
      .selectFrom("channel_user_status")
      .selectAll()
      .where("channel", "=", channel)
      .orderBy("at", "desc")
      .execute();
    return rows.map((r) => ({
      channel: r.channel,
      userId: r.user_id,
      username: r.username,
      status: asStatus(r.status),
      reason: r.reason,
      by: r.by_username,
      at: num(r.at),
    }));
  }
}

// A value this version does not know (written by a newer one) reads as the milder mark.
function asStatus(raw: string): UserStatusKind {
  return (USER_STATUSES as readonly string[]).includes(raw) ? (raw as UserStatusKind) : "monitored";
}
