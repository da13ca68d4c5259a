/** The Consumer port's contract (cluster-wide consumer groups), run against every adapter. */
import { randomUUID } from "node:crypto";
import type { EventDraft } from "@chorus/protocol";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { ConsumerMember, Consumers, Delivery, DeliveryHandler } from "../../src/ports/consumer.js";
import type { ChannelLog } from "../../src/ports/log.js";
import type { Store } from "../../src/ports/store.js";
import { describeContract } from "./availability.js";
import { message, seedChannel, userRecord } from "./fixtures.js";

export interface ConsumerHarness {
  /** The cluster's log: what is appended here reaches every node's consumers. */
  log: ChannelLog;
  /** Where the log's channels live (the embedded log refuses events of unknown channels). */
  store: Store;
  /** Node `i`'s consumers (embedded: the process is the cluster, so every index is the same one). */
  node(i: number): Consumers;
  dispose(): Promise<void>;
}

export interface ConsumerContractOptions {
  /** Why the adapter cannot show a dead member's deliveries going to another one, or null. */
  abandonedSkip: string | null;
  /** The claim idle time the harness configured (Redis), for the dead-member test. */
  claimIdleMs: number;
}

const draft = (channel: string, text: string): EventDraft => ({
  type: "message",
  at: Date.now(),
  data: { ...message(channel, 0, userRecord("writer")), text },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Records what a member's handler was given; `fail` decides whether a delivery is rejected. */
function recorder(fail: (d: Delivery) => boolean = () => false) {
  const deliveries: Delivery[] = [];
  const handled: Array<{ channel: string; seq: number }> = [];
  const handler: DeliveryHandler = async (d) => {
    deliveries.push({ ...d, events: [...d.events] });
    if (fail(d)) throw new Error("handler refuses");
    for (const e of d.events) handled.push({ channel: d.channel, seq: e.seq });
  };
  const seqs = (channel: string) => handled.filter((h) => h.channel === channel).map((h) => h.seq);
  return { deliveries, handled, handler, seqs };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function consumerContract(
  name: string,
  open: () => Promise<ConsumerHarness>,
  options: ConsumerContractOptions,
  skip: string | null = null,
): void {
  describeContract(`Consumer contract: ${name}`, skip, () => {
    let h: ConsumerHarness;
    let members: ConsumerMember[];
    let group: string;
    const channel = async () => (await seedChannel(h.store)).channel;
    const join = (node: number, handler: DeliveryHandler) => {
      const member = h.node(node).consume(group, handler);
      members.push(member);
      return member;
    };
    const append = async (ch: string, n: number) => {
      for (let i = 0; i < n; i++) await h.log.append(ch, draft(ch, `m${i}`));
    };

    beforeEach(async () => {
      h = await open();
      members = [];
      group = `g_${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      await Promise.all(members.map((m) => m.stop()));
      await h.dispose();
    });

    it("delivers every event of every channel, watched or not, in seq order per channel, one channel per delivery", async () => {
      const r = recorder();
      join(0, r.handler);
      const [a, b, c] = [await channel(), await channel(), await channel()];
      await append(a, 5);
      await append(b, 3);
      await append(a, 5);
      await append(c, 1);
      await until("all 14 events", () => r.handled.length >= 14);
      await sleep(200);
      expect(r.seqs(a)).toEqual(range(1, 10));
      expect(r.seqs(b)).toEqual(range(1, 3));
      expect(r.seqs(c)).toEqual([1]);
      for (const d of r.deliveries) {
        expect(d.attempt).toBe(1);
        expect(d.events.every((e) => e.channel === d.channel)).toBe(true);
        expect(d.events.map((e) => e.seq)).toEqual([...d.events.map((e) => e.seq)].sort((x, y) => x - y));
      }
    });

    it("does not deliver events appended before the group first existed", async () => {
      const a = await channel();
      await append(a, 3);
      await sleep(20);
      const r = recorder();
      join(0, r.handler);
      await append(a, 2);
      await until("the two new events", () => r.handled.length >= 2);
      await sleep(300);
      expect(r.seqs(a)).toEqual([4, 5]);
    });

    it("keeps a group's events while no member runs and delivers them to the next one", async () => {
      const first = recorder();
      const member = join(0, first.handler);
      const a = await channel();
      await append(a, 1);
      await until("the first event", () => first.handled.length >= 1);
      await member.stop();
      await append(a, 3);
      await sleep(100);
      expect(first.handled).toHaveLength(1);
      const next = recorder();
      join(0, next.handler);
      await until("the events appended meanwhile", () => next.handled.length >= 3);
      expect(next.seqs(a)).toEqual([2, 3, 4]);
    });

    it("shares a group's events among its members (nodes), each event handled once", async () => {
      const r0 = recorder();
      const r1 = recorder();
      join(0, r0.handler);
      join(1, r1.handler);
      const [a, b] = [await channel(), await channel()];
      for (let i = 0; i < 10; i++) {
        await append(a, 2);
        await append(b, 1);
      }
      await until("all 30 events", () => r0.handled.length + r1.handled.length >= 30);
      await sleep(300);
      const all = [...r0.handled, ...r1.handled];
      expect(all).toHaveLength(30);
      expect(new Set(all.map((x) => `${x.channel}:${x.seq}`)).size).toBe(30);
    });

    it("gives every group all the events", async () => {
      const r0 = recorder();
      const r1 = recorder();
      join(0, r0.handler);
      members.push(h.node(1).consume(`${group}-other`, r1.handler));
      members.push(h.node(1).consume(`${group}-third`, async () => undefined));
      const a = await channel();
      await append(a, 4);
      await until("both groups", () => r0.handled.length >= 4 && r1.handled.length >= 4);
      expect(r0.seqs(a)).toEqual(range(1, 4));
      expect(r1.seqs(a)).toEqual(range(1, 4));
    });

    it("redelivers what a handler rejected, with a higher attempt, before anything newer of that channel", async () => {
      const a = await channel();
      const b = await channel();
      // Seq 1 of channel a is refused twice.
      const r = recorder((d) => d.channel === a && d.events[0]?.seq === 1 && d.attempt < 3);
      join(0, r.handler);
      await append(a, 1);
      await until("the first refusal", () => r.deliveries.length >= 1);
      await append(a, 3);
      await append(b, 2);
      await until("everything handled", () => r.seqs(a).length >= 4 && r.seqs(b).length >= 2, 15_000);
      expect(r.seqs(a)).toEqual(range(1, 4));
      expect(r.seqs(b)).toEqual([1, 2]);
      const ofFirst = r.deliveries.filter((d) => d.channel === a && d.events[0]?.seq === 1).map((d) => d.attempt);
      expect(ofFirst).toEqual([1, 2, 3]);
    });

    it.skipIf(options.abandonedSkip !== null)(
      `hands a dead member's deliveries to another member after the claim idle time${
        options.abandonedSkip ? ` (skipped: ${options.abandonedSkip})` : ""
      }`,
      async () => {
        let wake: () => void = () => undefined;
        const hung: Delivery[] = [];
        // This member takes a delivery and never finishes it: as good as dead.
        join(0, async (d) => {
          hung.push(d);
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        });
        try {
          const a = await channel();
          await append(a, 3);
          await until("the hung delivery", () => hung.length >= 1);
          const r = recorder();
          join(1, r.handler);
          const held = hung[0]?.events.map((e) => e.seq) ?? [];
          await until("the claim", () => held.every((seq) => r.seqs(a).includes(seq)), 10 * options.claimIdleMs);
          const claimed = r.deliveries.find((d) => d.events[0]?.seq === held[0]);
          expect(claimed?.attempt).toBeGreaterThan(1);
        } finally {
          wake();
        }
      },
    );
  });
}
