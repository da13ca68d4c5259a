/** Server secrets generated once and kept (the JWT key when none is configured). */
import type { Kysely } from "kysely";
import type { SecretStore } from "../../ports/store.js";
import type { Database } from "./schema.js";

export class SqlSecrets implements SecretStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getOrCreate(name: string, candidate: string): Promise<string> {
    await this.db
      .insertInto("secrets")
      .values({ name, value: candidate })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    const row = await this.db.selectFrom("secrets").select("value").where("name", "=", name).executeTakeFirstOrThrow();
    return row.value;
  }
}
