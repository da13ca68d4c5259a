/** Built-in connectors per channel and platform, and the state their runner last reported. */
import { CONNECTOR_STATES, type ConnectorState } from "@chorus/protocol";
import type { Kysely } from "kysely";
import type { ConnectorRecord, ConnectorStore } from "../../ports/store.js";
import { num, numOrNull } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlConnectors implements ConnectorStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(channel: string, platform: string, source: string, at: number): Promise<ConnectorRecord> {
    const row = { channel, platform, source, state: "connecting", error: null, last_message_at: null, updated_at: at };
    await this.db
      .insertInto("connectors")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["channel", "platform"]).doUpdateSet({
          source,
          state: "connecting",
          error: null,
          last_message_at: null,
          updated_at: at,
        }),
      )
      .execute();
    return toRecord(row);
  }

  async remove(channel: string, platform: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("connectors")
      .where("channel", "=", channel)
      .where("platform", "=", platform)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(channel: string): Promise<ConnectorRecord[]> {
    const rows = await this.db
      .selectFrom("connectors")
      .selectAll()
      .where("channel", "=", channel)
      .orderBy("platform")
      .execute();
    return rows.map(toRecord);
  }

  async all(): Promise<ConnectorRecord[]> {
    const rows = await this.db.selectFrom("connectors").selectAll().orderBy("channel").orderBy("platform").execute();
    return rows.map(toRecord);
  }

  async setStatus(
    channel: string,
    platform: string,
    source: string,
    status: { state: ConnectorState; error: string | null; lastMessageAt: number | null },
    at: number,
  ): Promise<void> {
    await this.db
      .updateTable("connectors")
      .set({ state: status.state, error: status.error, last_message_at: status.lastMessageAt, updated_at: at })
      .where("channel", "=", channel)
      .where("platform", "=", platform)
      .where("source", "=", source)
      .execute();
  }
}

function toRecord(row: Database["connectors"]): ConnectorRecord {
  return {
    channel: row.channel,
    platform: row.platform,
    source: row.source,
    state: (CONNECTOR_STATES as readonly string[]).includes(row.state) ? (row.state as ConnectorState) : "error",
    error: row.error,
    lastMessageAt: numOrNull(row.last_message_at),
    updatedAt: num(row.updated_at),
  };
}
