/** The held-message queue: what moderation keeps for review, until approved or denied. */
import type { Message } from "@chorus/protocol";
import type { Kysely } from "kysely";
import type { HeldRecord, HeldStore } from "../../ports/store.js";
import { jsonb, num, parseJson } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlHeld implements HeldStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(h: HeldRecord): Promise<string> {
    const inserted = await this.db
      .insertInto("held_messages")
      .values({
        id: h.id,
        channel: h.channel,
        message: jsonb(h.message),
        reasons: jsonb(h.reasons),
        dedup_key: h.dedupKey,
        at: h.at,
      })
      .onConflict((oc) => oc.columns(["channel", "dedup_key"]).where("dedup_key", "is not", null).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) return inserted.id;
    const existing = await this.db
      .selectFrom("held_messages")
      .select("id")
      .where("channel", "=", h.channel)
      .where("dedup_key", "=", h.dedupKey)
      .executeTakeFirst();
    return existing?.id ?? h.id;
  }

  async list(channel: string, limit: number): Promise<HeldRecord[]> {
    const rows = await this.db
      .selectFrom("held_messages")
      .selectAll()
      .where("channel", "=", channel)
      .orderBy("at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(toHeld);
  }

  async take(channel: string, id: string): Promise<HeldRecord | null> {
    const row = await this.db
      .deleteFrom("held_messages")
      .where("channel", "=", channel)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    return row ? toHeld(row) : null;
  }
}

function toHeld(row: Database["held_messages"]): HeldRecord {
  return {
    id: row.id,
    channel: row.channel,
    message: parseJson<Message>(row.message),
    reasons: parseJson<string[]>(row.reasons),
    dedupKey: row.dedup_key,
    at: num(row.at),
  };
}
