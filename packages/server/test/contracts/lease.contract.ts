/** The Lease port's contract, run against every adapter. */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Leases } from "../../src/ports/lease.js";
import { describeContract } from "./availability.js";

export interface LeaseHarness {
  /** Node `i`'s leases (embedded: the process is the cluster, so every index is the same one). */
  node(i: number): Leases;
  /** The time to live the harness configured. */
  ttlMs: number;
  /** Takes the lease from its holder behind its back (another holder's token replaces it). */
  steal(name: string): Promise<void>;
  /** Node `i` dies: its connection is gone, it can neither renew nor release. */
  crash(i: number): Promise<void>;
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function leaseContract(
  name: string,
  open: () => Promise<LeaseHarness>,
  /** Why leases of this adapter cannot be lost (so the loss tests do not apply), or null. */
  lossSkip: string | null,
  skip: string | null = null,
): void {
  describeContract(`Lease contract: ${name}`, skip, () => {
    let h: LeaseHarness;
    let lease: string;
    beforeEach(async () => {
      h = await open();
      lease = `l_${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      await h.dispose();
    });
    const lossTest = (title: string, body: () => Promise<void>) =>
      it.skipIf(lossSkip !== null)(lossSkip === null ? title : `${title} (skipped: ${lossSkip})`, body);

    it("is exclusive across the cluster, the holder's own node included", async () => {
      const held = await h.node(0).tryAcquire(lease);
      expect(held?.name).toBe(lease);
      expect(held?.held).toBe(true);
      expect(await h.node(0).tryAcquire(lease)).toBeNull();
      expect(await h.node(1).tryAcquire(lease)).toBeNull();
      expect((await h.node(1).tryAcquire(`${lease}-other`))?.held).toBe(true);
    });

    it("is free again at once after release, and a late release never frees the next holder's", async () => {
      const first = await h.node(0).tryAcquire(lease);
      let lost = false;
      first?.onLost(() => {
        lost = true;
      });
      await first?.release();
      expect(first?.held).toBe(false);
      const second = await h.node(1).tryAcquire(lease);
      expect(second?.held).toBe(true);
      await first?.release();
      expect(await h.node(0).tryAcquire(lease)).toBeNull();
      expect(lost).toBe(false);
    });

    it("stays held past its time to live while its holder lives", async () => {
      const held = await h.node(0).tryAcquire(lease);
      let lost = false;
      held?.onLost(() => {
        lost = true;
      });
      await sleep(h.ttlMs * 2.5);
      expect(held?.held).toBe(true);
      expect(lost).toBe(false);
      expect(await h.node(1).tryAcquire(lease)).toBeNull();
    });

    it("close releases every lease held through it", async () => {
      const a = await h.node(0).tryAcquire(lease);
      await h.node(0).tryAcquire(`${lease}-b`);
      await h.node(0).close();
      expect(a?.held).toBe(false);
      expect(await h.node(1).tryAcquire(lease)).not.toBeNull();
      expect(await h.node(1).tryAcquire(`${lease}-b`)).not.toBeNull();
    });

    lossTest("tells its holder when it was taken away, once, and the holder cannot free it", async () => {
      const held = await h.node(0).tryAcquire(lease);
      let lost = 0;
      held?.onLost(() => {
        lost++;
      });
      await h.steal(lease);
      const deadline = Date.now() + h.ttlMs * 2;
      while (lost === 0 && Date.now() < deadline) await sleep(10);
      expect(lost).toBe(1);
      expect(held?.held).toBe(false);
      await held?.release();
      expect(await h.node(1).tryAcquire(lease)).toBeNull();
      await sleep(h.ttlMs);
      expect(lost).toBe(1);
    });

    lossTest("expires when its holder dies, and the dead holder counts it lost", async () => {
      const held = await h.node(0).tryAcquire(lease);
      let lostAt = 0;
      held?.onLost(() => {
        lostAt = Date.now();
      });
      await h.crash(0);
      const crashedAt = Date.now();
      let taken = null;
      let takenAt = 0;
      while (!taken && Date.now() - crashedAt < h.ttlMs * 4) {
        const askedAt = Date.now();
        taken = await h.node(1).tryAcquire(lease);
        if (taken) takenAt = askedAt;
        else await sleep(20);
      }
      expect(taken?.held).toBe(true);
      // The dead holder gave up before anyone else could take over: never two holders.
      expect(lostAt).toBeGreaterThan(0);
      expect(lostAt).toBeLessThanOrEqual(takenAt);
      expect(held?.held).toBe(false);
    });
  });
}
