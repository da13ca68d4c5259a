/** Channel owners' accounts on other platforms (the token column holds ciphertext only). */
import type { Kysely } from "kysely";
import type { PlatformAccountRecord, PlatformAccountStore } from "../../ports/store.js";
import { jsonb, num, parseJson } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlPlatformAccounts implements PlatformAccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(a: PlatformAccountRecord): Promise<void> {
    const row = {
      channel: a.channel,
      platform: a.platform,
      login: a.login,
      user_id: a.userId,
      scopes: jsonb(a.scopes),
      token_encrypted: a.tokenEncrypted,
      linked_at: a.linkedAt,
    };
    await this.db
      .insertInto("platform_accounts")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["channel", "platform"]).doUpdateSet({
          login: row.login,
          user_id: row.user_id,
          scopes: row.scopes,
          token_encrypted: row.token_encrypted,
          linked_at: row.linked_at,
        }),
      )
      .execute();
  }

  async get(channel: string, platform: string): Promise<PlatformAccountRecord | null> {
    const row = await this.db
      .selectFrom("platform_accounts")
      .selectAll()
      .where("channel", "=", channel)
      .where("platform", "=", platform)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(channel: string): Promise<PlatformAccountRecord[]> {
    const rows = await this.db
      .selectFrom("platform_accounts")
      .selectAll()
      .where("channel", "=", channel)
      .orderBy("platform")
      .execute();
    return rows.map(toRecord);
  }

  async remove(channel: string, platform: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("platform_accounts")
      .where("channel", "=", channel)
      .where("platform", "=", platform)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toRecord(row: Database["platform_accounts"]): PlatformAccountRecord {
  return {
    channel: row.channel,
    platform: row.platform,
    login: row.login,
    userId: row.user_id,
    scopes: parseJson<string[]>(row.scopes),
    tokenEncrypted: row.token_encrypted,
    linkedAt: num(row.linked_at),
  };
}
