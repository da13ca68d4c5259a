/** The moderation audit log: append-only, read newest first with filters. */
import type { Kysely } from "kysely";
import type { ModlogEntry, ModlogQuery, ModlogStore } from "../../ports/store.js";
import { jsonb, num, parseJson } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlModlog implements ModlogStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(e: ModlogEntry): Promise<void> {
    await this.db
      .insertInto("modlog")
      .values({
        id: e.id,
        channel: e.channel,
        at: e.at,
        actor_id: e.actorId,
        actor: e.actor,
        action: e.action,
        target_id: e.targetId,
        target: e.target,
        reason: e.reason,
        details: jsonb(e.details),
      })
      .execute();
  }

  async list(q: ModlogQuery): Promise<ModlogEntry[]> {
    let query = this.db.selectFrom("modlog").selectAll().where("channel", "=", q.channel);
    if (q.before !== undefined) query = query.where("at", "<", q.before);
    if (q.action !== undefined) query = query.where("action", "=", q.action);
    if (q.target !== undefined) query = query.where("target", "=", q.target);
    const rows = await query.orderBy("at", "desc").orderBy("id", "desc").limit(q.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      at: num(r.at),
      actorId: r.actor_id,
      actor: r.actor,
      action: r.action,
      targetId: r.target_id,
      target: r.target,
      reason: r.reason,
      details: parseJson<Record<string, unknown>>(r.details),
    }));
  }
}
