/** Broadcasts (one live per channel at most) and their message counts. */
import { type Kysely, sql } from "kysely";
import type { BroadcastRecord, BroadcastStore } from "../../ports/store.js";
import { type Int8, num, numOrNull } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlBroadcasts implements BroadcastStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(b: BroadcastRecord): Promise<void> {
    await this.db
      .insertInto("broadcasts")
      .values({
        id: b.id,
        channel: b.channel,
        title: b.title,
        video_url: b.videoUrl ?? null,
        started_at: b.startedAt,
        ended_at: b.endedAt,
      })
      .execute();
  }

  async byId(id: string): Promise<BroadcastRecord | null> {
    const rows = await this.select().where("b.id", "=", id).execute();
    const row = rows[0];
    return row ? toBroadcast(row) : null;
  }

  async update(id: string, patch: Partial<Pick<BroadcastRecord, "title" | "videoUrl" | "endedAt">>): Promise<void> {
    const set: Record<string, unknown> = {};
    if (patch.title !== undefined) set["title"] = patch.title;
    if (patch.videoUrl !== undefined) set["video_url"] = patch.videoUrl;
    if (patch.endedAt !== undefined) set["ended_at"] = patch.endedAt;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable("broadcasts").set(set).where("id", "=", id).execute();
  }

  async list(channel: string, limit: number): Promise<BroadcastRecord[]> {
    const rows = await this.select()
      .where("b.channel", "=", channel)
      .orderBy("b.started_at", "desc")
      .limit(limit)
      .execute();
    return rows.map(toBroadcast);
  }

  private select() {
    return this.db
      .selectFrom("broadcasts as b")
      .selectAll("b")
      .select((eb) =>
        eb
          .selectFrom("events as e")
          .select(sql<Int8>`count(*)`.as("n"))
          .whereRef("e.broadcast_id", "=", "b.id")
          .where("e.type", "=", "message")
          // Deleted (and cleared) messages are not counted.
          .where("e.deleted_at", "is", null)
          .as("message_count"),
      );
  }
}

function toBroadcast(row: Database["broadcasts"] & { message_count: Int8 | null }): BroadcastRecord {
  return {
    id: row.id,
    channel: row.channel,
    title: row.title,
    videoUrl: row.video_url,
    startedAt: num(row.started_at),
    endedAt: numOrNull(row.ended_at),
    messageCount: row.message_count === null ? 0 : num(row.message_count),
  };
}
