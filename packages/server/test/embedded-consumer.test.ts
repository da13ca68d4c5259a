/**
 * What only the embedded consumer does: its groups live in memory, so a group that nobody
 * reads is bounded — past its backlog cap the oldest waiting events are dropped, the newest
 * kept, and the channel's order is preserved.
 */
import type { LoggedEvent } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedConsumers } from "../src/adapters/embedded/embedded-consumer.js";
import { EmbeddedLog } from "../src/adapters/embedded/embedded-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { Store } from "../src/ports/store.js";
import { message, seedChannel, userRecord } from "./contracts/fixtures.js";

describe("embedded consumer backlog", () => {
  let store: Store;
  let log: EmbeddedLog;
  beforeAll(async () => {
    store = await openStore({ dataDir: "memory://", databaseUrl: null });
    log = await EmbeddedLog.open(store);
  });
  afterAll(async () => {
    await log.close();
    await store.close();
  });

  it("drops a group's oldest waiting events past its cap and delivers the newest in order", async () => {
    const consumers = new EmbeddedConsumers(log, null, { maxBacklog: 10, batch: 3 });
    try {
      const { channel } = await seedChannel(store);
      await consumers.consume("g", async () => undefined).stop();
      const author = userRecord("w");
      for (let i = 0; i < 30; i++) {
        await log.append(channel, { type: "message", at: Date.now(), data: { ...message(channel, 0, author) } });
      }
      const got: LoggedEvent[] = [];
      consumers.consume("g", async (d) => {
        got.push(...d.events);
      });
      await new Promise((r) => setTimeout(r, 100));
      const seqs = got.map((e) => e.seq);
      // Whole deliveries (of up to 3) are dropped: between cap − 2 and cap survive, the newest, in order.
      expect(seqs.length).toBeGreaterThanOrEqual(8);
      expect(seqs.length).toBeLessThanOrEqual(10);
      expect(seqs.at(-1)).toBe(30);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 31 - seqs.length + i));
    } finally {
      await consumers.close();
    }
  });
});
