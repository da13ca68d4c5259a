/**
 * The embedded log's durable ack: a commit is fanned out at once, but `append` (the ack)
 * resolves only after the store's flush (the WAL fdatasync); a failed flush fails the ack and
 * keeps the committed event findable by its nonce, so a retry is answered, not appended twice.
 */
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedLog } from "../src/adapters/embedded/embedded-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { Store } from "../src/ports/store.js";
import { message, seedChannel } from "./contracts/fixtures.js";

/** The store with a flush the test releases by hand. */
function gatedFlush(store: Store) {
  const gates: Array<{ open: () => void; fail: (e: Error) => void }> = [];
  const events = Object.create(store.events) as Store["events"];
  events.flush = () =>
    new Promise<void>((resolve, reject) => {
      gates.push({ open: resolve, fail: reject });
    });
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, "events", { value: events });
  return { store: wrapped, gates };
}

const opened = openStore({ dataDir: "memory://", databaseUrl: null });
afterAll(async () => (await opened).close());

const draft = (channel: string, user: Parameters<typeof message>[2]) => ({
  type: "message" as const,
  at: Date.now(),
  data: message(channel, 0, user),
});

describe("embedded durable ack", () => {
  it("fans a commit out before the flush, and acks only after it", async () => {
    const raw = await opened;
    const { channel, user } = await seedChannel(raw);
    const { store, gates } = gatedFlush(raw);
    const log = await EmbeddedLog.open(store);
    const heard: number[] = [];
    log.onEvents((c, events) => {
      if (c === channel) heard.push(...events.map((e) => e.seq));
    });
    let acked = false;
    const append = log.append(channel, draft(channel, user), "k1").then((r) => {
      acked = true;
      return r;
    });
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(heard).toEqual([1]); // visible and fanned out
    expect(acked).toBe(false); // but not acknowledged before the sync
    gates[0]?.open();
    const { event, duplicate } = await append;
    expect(acked).toBe(true);
    expect(duplicate).toBe(false);
    expect(event.seq).toBe(1);
  });

  it("fails the ack when the flush fails, and answers the retry with the committed event", async () => {
    const raw = await opened;
    const { channel, user } = await seedChannel(raw);
    const { store, gates } = gatedFlush(raw);
    const log = await EmbeddedLog.open(store);
    const first = log.append(channel, draft(channel, user), "k2");
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
    gates[0]?.fail(new Error("disk gone"));
    await expect(first).rejects.toThrow("disk gone");
    const retry = await log.append(channel, draft(channel, user), "k2");
    expect(retry.duplicate).toBe(true);
    expect(retry.event.seq).toBe(1);
    expect(await log.head(channel)).toBe(1); // nothing appended twice
  });
});
