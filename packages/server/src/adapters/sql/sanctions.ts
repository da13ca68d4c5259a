/** Bans and timeouts: one standing sanction per user and channel. */
import { type Kysely, sql } from "kysely";
import type { SanctionRecord, SanctionStore } from "../../ports/store.js";
import { num, numOrNull } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlSanctions implements SanctionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(s: SanctionRecord): Promise<void> {
    const row = {
      channel: s.channel,
      user_id: s.userId,
      username: s.username,
      kind: s.kind,
      until: s.until,
      reason: s.reason,
      by_username: s.by,
      at: s.at,
    };
    await this.db
      .insertInto("channel_sanctions")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["channel", "user_id"]).doUpdateSet({
          username: row.username,
          kind: row.kind,
          until: row.until,
          reason: row.reason,
          by_username: row.by_username,
          at: row.at,
        }),
      )
      .execute();
  }

  async remove(channel: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("channel_sanctions")
      .where("channel", "=", channel)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async active(channel: string, now: number): Promise<SanctionRecord[]> {
    const rows = await this.db
      .selectFrom("channel_sanctions")
      .selectAll()
      .where("channel", "=", channel)
      .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", sql<string>`${now}`)]))
      .orderBy("at", "desc")
      .execute();
    return rows.map((r) => ({
      channel: r.channel,
      userId: r.user_id,
      username: r.username,
      kind: r.kind === "timeout" ? "timeout" : "ban",
      until: numOrNull(r.until),
      reason: r.reason,
      by: r.by_username,
      at: num(r.at),
    }));
  }
}
