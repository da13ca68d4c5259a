/** Chat spikes of broadcasts, for the broadcast's timeline and its replay. */
import type { Highlight } from "@chorus/protocol";
import type { Kysely } from "kysely";
import type { HighlightStore } from "../../ports/store.js";
import { num } from "./rows.js";
import type { Database } from "./schema.js";

export class SqlHighlights implements HighlightStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(broadcastId: string, h: Highlight): Promise<void> {
    await this.db
      .insertInto("highlights")
      .values({ broadcast_id: broadcastId, at: h.at, seq: h.seq, rate: h.rate, baseline: h.baseline, label: h.label })
      .onConflict((oc) => oc.columns(["broadcast_id", "at"]).doNothing())
      .execute();
  }

  async forBroadcast(broadcastId: string): Promise<Highlight[]> {
    const rows = await this.db
      .selectFrom("highlights")
      .selectAll()
      .where("broadcast_id", "=", broadcastId)
      .orderBy("at", "asc")
      .execute();
    return rows.map((r) => ({ at: num(r.at), seq: num(r.seq), rate: r.rate, baseline: r.baseline, label: r.label }));
  }
}
