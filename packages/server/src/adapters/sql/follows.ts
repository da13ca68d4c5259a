/** Who follows which channel, and since when (followers-only mode counts the follow age). */
import type { Kysely } from "kysely";
import type { FollowStore } from "../../ports/store.js";
import { num } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlFollows implements FollowStore {
  constructor(private readonly db: Kysely<Database>) {}

  async follow(channel: string, userId: string, at: number): Promise<void> {
    await this.db
      .insertInto("follows")
      .values({ channel, user_id: userId, at })
      .onConflict((oc) => oc.columns(["channel", "user_id"]).doNothing())
      .execute();
  }

  async unfollow(channel: string, userId: string): Promise<void> {
    await this.db.deleteFrom("follows").where("channel", "=", channel).where("user_id", "=", userId).execute();
  }

  async since(channel: string, userId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom("follows")
      .select("at")
      .where("channel", "=", channel)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row ? num(row.at) : null;
  }
}
