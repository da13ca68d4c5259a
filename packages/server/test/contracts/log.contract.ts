/** The Log port's contract, run against every adapter (embedded now; Redis Streams later). */
import type { EventDraft, LoggedEvent } from "@chorus/protocol";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { ChannelLog } from "../../src/ports/log.js";
import type { Store } from "../../src/ports/store.js";
import { describeContract } from "./availability.js";
import { message, seedChannel, userRecord } from "./fixtures.js";

export interface LogHarness {
  log: ChannelLog;
  store: Store;
  /** Closes the log and opens a new one on the same durable state (a process restart). */
  reopen(): Promise<ChannelLog>;
  /** Makes durable writes fail (store/Redis unavailable), or heals them. */
  breakWrites(broken: boolean): Promise<void>;
  /** The highest seq the durable medium itself holds (store rows, Redis stream), read around the log. */
  durableHead(channel: string): Promise<number>;
  dispose(): Promise<void>;
}

const draft = (channel: string, text: string): EventDraft => ({
  type: "message",
  at: Date.now(),
  data: { ...message(channel, 0, userRecord("writer")), text },
});

export function logContract(name: string, open: () => Promise<LogHarness>, skip: string | null = null): void {
  describeContract(`Log contract: ${name}`, skip, () => {
    let h: LogHarness;
    let channel: string;
    beforeEach(async () => {
      h = await open();
      ({ channel } = await seedChannel(h.store));
    });
    afterEach(async () => {
      await h.dispose();
    });

    it("assigns contiguous seqs from 1, writes them into messages, and is durable on resolve", async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => h.log.append(channel, draft(channel, `m${i}`))),
      );
      const seqs = results.map((r) => r.event.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      for (const r of results) if (r.event.type === "message") expect(r.event.data.seq).toBe(r.event.seq);
      // Durable: the medium already holds every acknowledged event.
      expect(await h.durableHead(channel)).toBe(50);
      expect(await h.log.head(channel)).toBe(50);
    });

    it("keeps seqs per channel", async () => {
      const other = (await seedChannel(h.store)).channel;
      await h.log.append(channel, draft(channel, "a"));
      const b = await h.log.append(other, draft(other, "b"));
      const c = await h.log.append(channel, draft(channel, "c"));
      expect(b.event.seq).toBe(1);
      expect(c.event.seq).toBe(2);
    });

    it("deduplicates by key, concurrently and after completion", async () => {
      const [a, b] = await Promise.all([
        h.log.append(channel, draft(channel, "x"), "k1"),
        h.log.append(channel, draft(channel, "x"), "k1"),
      ]);
      expect(a.event.seq).toBe(b.event.seq);
      expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
      const c = await h.log.append(channel, draft(channel, "x"), "k1");
      expect(c).toMatchObject({ duplicate: true, event: { seq: a.event.seq } });
      expect(await h.log.head(channel)).toBe(1);
    });

    it("delivers every event once, in order, to listeners", async () => {
      const seen: LoggedEvent[] = [];
      expect(await h.log.watch(channel)).toBe(0);
      const off = h.log.onEvents((ch, events) => {
        if (ch === channel) seen.push(...events);
      });
      await Promise.all(Array.from({ length: 30 }, (_, i) => h.log.append(channel, draft(channel, `m${i}`))));
      await waitFor(() => seen.length >= 30);
      off();
      h.log.unwatch(channel);
      expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it("reads ranges from the window and beyond it, and says when a range is incomplete", async () => {
      for (let i = 0; i < 20; i++) await h.log.append(channel, draft(channel, `m${i}`));
      const mid = await h.log.read(channel, 5, 10, 100);
      expect(mid.events.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10]);
      expect(mid.complete).toBe(true);
      const capped = await h.log.read(channel, 0, 20, 4);
      expect(capped.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(capped.complete).toBe(false);
      expect((await h.log.read(channel, 20, 20, 10)).events).toEqual([]);
    });

    it("continues seqs after a restart and never reuses one", async () => {
      for (let i = 0; i < 5; i++) await h.log.append(channel, draft(channel, `m${i}`), `key-${i}`);
      const log = await h.reopen();
      expect(await log.head(channel)).toBe(5);
      const next = await log.append(channel, draft(channel, "after restart"));
      expect(next.event.seq).toBe(6);
      // Dedup survives the restart: a client retrying its send does not duplicate.
      const retry = await log.append(channel, draft(channel, "m4"), "key-4");
      expect(retry).toMatchObject({ duplicate: true, event: { seq: 5 } });
      const old = await log.read(channel, 0, 6, 10);
      expect(old.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it("consumes no seq when the durable write fails, and recovers", async () => {
      await h.log.append(channel, draft(channel, "ok"));
      await h.breakWrites(true);
      await expect(h.log.append(channel, draft(channel, "lost"), "retry-me")).rejects.toThrow();
      await h.breakWrites(false);
      const retried = await h.log.append(channel, draft(channel, "lost"), "retry-me");
      expect(retried).toMatchObject({ duplicate: false, event: { seq: 2 } });
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
