/** Channels, their settings and the roles users hold in them. */
import {
  type BlockedTerm,
  type ChannelSettings,
  DEFAULT_CHANNEL_SETTINGS,
  type Role,
  toBlockedTerms,
} from "@chorus/protocol";
import { type Kysely, sql } from "kysely";
import type { ChannelRecord, ChannelStore } from "../../ports/store.js";
import { type Int8, isRole, jsonb, num, parseJson } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlChannels implements ChannelStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(c: ChannelRecord): Promise<void> {
    await this.db
      .insertInto("channels")
      .values({
        name: c.name,
        title: c.title,
        owner_id: c.ownerId,
        settings: jsonb(c.settings),
        video_url: c.videoUrl,
        live_broadcast_id: c.liveBroadcastId,
        created_at: c.createdAt,
      })
      .execute();
  }

  async byName(name: string): Promise<ChannelRecord | null> {
    const row = await this.db.selectFrom("channels").selectAll().where("name", "=", name).executeTakeFirst();
    return row ? toChannel(row) : null;
  }

  async list(): Promise<ChannelRecord[]> {
    const rows = await this.db.selectFrom("channels").selectAll().orderBy("name").execute();
    return rows.map(toChannel);
  }

  async update(name: string, patch: Partial<Omit<ChannelRecord, "name" | "createdAt">>): Promise<void> {
    const set: Record<string, unknown> = {};
    if (patch.title !== undefined) set["title"] = patch.title;
    if (patch.ownerId !== undefined) set["owner_id"] = patch.ownerId;
    if (patch.settings !== undefined) set["settings"] = jsonb(patch.settings);
    if (patch.videoUrl !== undefined) set["video_url"] = patch.videoUrl;
    if (patch.liveBroadcastId !== undefined) set["live_broadcast_id"] = patch.liveBroadcastId;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable("channels").set(set).where("name", "=", name).execute();
  }

  async delete(name: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom("events")
        .select(sql<Int8 | null>`max(seq)`.as("max"))
        .where("channel", "=", name)
        .executeTakeFirst();
      const max = row?.max == null ? 0 : num(row.max);
      await tx
        .insertInto("channel_seq_tombstones")
        .values({ channel: name, max_seq: max })
        .onConflict((oc) =>
          oc
            .column("channel")
            .doUpdateSet({ max_seq: sql`greatest(channel_seq_tombstones.max_seq, excluded.max_seq)` }),
        )
        .execute();
      await tx.deleteFrom("events").where("channel", "=", name).execute();
      await tx.deleteFrom("broadcasts").where("channel", "=", name).execute();
      await tx.deleteFrom("channel_roles").where("channel", "=", name).execute();
      await tx.deleteFrom("channels").where("name", "=", name).execute();
    });
  }

  async roles(name: string): Promise<Map<string, Role>> {
    const rows = await this.db
      .selectFrom("channel_roles")
      .select(["user_id", "role"])
      .where("channel", "=", name)
      .execute();
    const roles = new Map<string, Role>();
    for (const row of rows) if (isRole(row.role)) roles.set(row.user_id, row.role);
    return roles;
  }

  async setRole(name: string, userId: string, role: Role): Promise<void> {
    if (role === "viewer") {
      await this.db.deleteFrom("channel_roles").where("channel", "=", name).where("user_id", "=", userId).execute();
      return;
    }
    await this.db
      .insertInto("channel_roles")
      .values({ channel: name, user_id: userId, role })
      .onConflict((oc) => oc.columns(["channel", "user_id"]).doUpdateSet({ role }))
      .execute();
  }
}

function toChannel(row: Database["channels"]): ChannelRecord {
  return {
    name: row.name,
    title: row.title,
    ownerId: row.owner_id,
    settings: storedSettings(
      parseJson<Partial<ChannelSettings> & { blockedTerms?: Array<string | BlockedTerm> }>(row.settings),
    ),
    videoUrl: row.video_url,
    liveBroadcastId: row.live_broadcast_id,
    createdAt: num(row.created_at),
  };
}

/** Settings as stored, defaults filled in; rows from before blocked-term actions hold plain strings. */
function storedSettings(
  raw: Partial<ChannelSettings> & { blockedTerms?: Array<string | BlockedTerm> },
): ChannelSettings {
  return { ...DEFAULT_CHANNEL_SETTINGS, ...raw, blockedTerms: toBlockedTerms(raw.blockedTerms ?? []) };
}
