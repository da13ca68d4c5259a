/** The ClusterBus port's contract, run against every adapter. */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { BusMessage, ClusterBus } from "../../src/ports/bus.js";
import { describeContract } from "./availability.js";

export interface BusHarness {
  /** One bus per node of the cluster (embedded: one node is the cluster, so one). */
  nodes: ClusterBus[];
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const changed = (channel: string): BusMessage => ({ type: "channel_changed", channel });

export function busContract(name: string, open: () => Promise<BusHarness>, skip: string | null = null): void {
  describeContract(`ClusterBus contract: ${name}`, skip, () => {
    let h: BusHarness;
    let tag: string;
    beforeEach(async () => {
      h = await open();
      tag = randomUUID().slice(0, 8);
    });
    afterEach(async () => {
      await h.dispose();
    });

    /** Subscribes on a node and records the messages of this test. */
    const listen = (bus: ClusterBus) => {
      const got: BusMessage[] = [];
      const off = bus.subscribe((m) => {
        if (m.type === "channel_changed" && m.channel.startsWith(tag)) got.push(m);
      });
      return { got, off };
    };

    it("reaches every subscriber on every node, the publisher's included, once", async () => {
      const listeners = h.nodes.flatMap((bus) => [listen(bus), listen(bus)]);
      const sessions: BusMessage[] = [];
      h.nodes[0]?.subscribe((m) => {
        if (m.type === "session_revoked" && m.sessionId === tag) sessions.push(m);
      });
      await h.nodes[0]?.publish(changed(`${tag}-a`));
      await h.nodes.at(-1)?.publish({ type: "session_revoked", sessionId: tag, userId: "u" });
      await until("every subscriber", () => listeners.every((l) => l.got.length >= 1) && sessions.length >= 1);
      await sleep(100);
      for (const l of listeners) expect(l.got).toEqual([changed(`${tag}-a`)]);
      expect(sessions).toEqual([{ type: "session_revoked", sessionId: tag, userId: "u" }]);
    });

    it("never runs a subscriber inside publish", async () => {
      const bus = h.nodes[0] as ClusterBus;
      let inside = false;
      let ranInside = false;
      const l = listen(bus);
      bus.subscribe(() => {
        if (inside) ranInside = true;
      });
      inside = true;
      const sent = bus.publish(changed(`${tag}-x`));
      inside = false;
      await sent;
      await until("the delivery", () => l.got.length === 1);
      expect(ranInside).toBe(false);
    });

    it("keeps one node's publish order for every subscriber", async () => {
      const listeners = h.nodes.map((bus) => listen(bus));
      const sent = Array.from({ length: 30 }, (_, i) => changed(`${tag}-${i}`));
      await Promise.all(sent.map((m) => h.nodes[0]?.publish(m)));
      await until("all 30 everywhere", () => listeners.every((l) => l.got.length >= 30));
      for (const l of listeners) expect(l.got).toEqual(sent);
    });

    it("a subscriber that throws does not keep the message from the others", async () => {
      const bus = h.nodes[0] as ClusterBus;
      bus.subscribe(() => {
        throw new Error("subscriber bug");
      });
      const l = listen(bus);
      await bus.publish(changed(`${tag}-t`));
      await until("the other subscriber", () => l.got.length === 1);
      // And the bus keeps delivering afterwards.
      await bus.publish(changed(`${tag}-u`));
      await until("the next message", () => l.got.length === 2);
    });

    it("delivers nothing more after unsubscribing", async () => {
      const gone = listen(h.nodes[0] as ClusterBus);
      const stays = listen(h.nodes[0] as ClusterBus);
      await h.nodes[0]?.publish(changed(`${tag}-1`));
      await until("the first message", () => gone.got.length === 1 && stays.got.length === 1);
      gone.off();
      await h.nodes.at(-1)?.publish(changed(`${tag}-2`));
      await until("the second message", () => stays.got.length === 2);
      await sleep(50);
      expect(gone.got).toHaveLength(1);
    });
  });
}
