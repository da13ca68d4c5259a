/** Site-wide bans by account or address range (admin/site-bans.ts keeps the active ones in memory). */
import type { Kysely } from "kysely";
import type { SiteBanRecord, SiteBanStore } from "../../ports/store.js";
import { num, numOrNull } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlSiteBans implements SiteBanStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(ban: SiteBanRecord): Promise<void> {
    await this.db
      .insertInto("site_bans")
      .values({
        id: ban.id,
        kind: ban.kind,
        user_id: ban.userId,
        username: ban.username,
        cidr: ban.cidr,
        reason: ban.reason,
        by_username: ban.by,
        at: ban.at,
        until: ban.until,
      })
      .execute();
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("site_bans").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async active(now: number): Promise<SiteBanRecord[]> {
    const rows = await this.db
      .selectFrom("site_bans")
      .selectAll()
      .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", now)]))
      .orderBy("at", "asc")
      .orderBy("id", "asc")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind === "address" ? "address" : "account",
      userId: r.user_id,
      username: r.username,
      cidr: r.cidr,
      reason: r.reason,
      by: r.by_username,
      at: num(r.at),
      until: numOrNull(r.until),
    }));
  }
}
