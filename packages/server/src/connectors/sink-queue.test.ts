import type { IngestItem } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import type { ConnectorSink } from "./connector.js";
import { SinkQueue } from "./sink-queue.js";

const item = (n: number): IngestItem => ({ externalId: `m${n}`, username: "u", text: `t${n}` });

function recorder(slow = false) {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const sink: ConnectorSink = {
    async messages(items) {
      calls.push(`messages:${items.map((i) => i.externalId).join(",")}`);
      if (slow) await new Promise<void>((resolve) => (release = resolve));
      if (items.some((i) => i.externalId === "boom")) throw new Error("sink failed");
    },
    async deleted(id) {
      calls.push(`deleted:${id}`);
    },
    async cleared(target) {
      calls.push(`cleared:${target?.login ?? "all"}`);
    },
  };
  return { sink, calls, release: () => release() };
}

describe("sink queue", () => {
  it("calls the sink one at a time, in order, merging messages queued back to back", async () => {
    const r = recorder(true);
    const failures: string[] = [];
    const q = new SinkQueue(r.sink, 1_000, { failed: (kind) => failures.push(kind), dropped: () => undefined });
    q.push([{ kind: "messages", items: [item(1)] }]);
    q.push([
      { kind: "messages", items: [item(2)] },
      { kind: "messages", items: [item(3)] },
    ]);
    q.push([
      { kind: "deleted", externalId: "m2" },
      { kind: "messages", items: [item(4)] },
    ]);
    expect(r.calls).toEqual(["messages:m1"]); // the first call is in flight
    r.release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.calls).toEqual(["messages:m1", "messages:m2,m3"]);
    r.release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    r.release();
    await q.close();
    expect(r.calls).toEqual(["messages:m1", "messages:m2,m3", "deleted:m2", "messages:m4"]);
    expect(failures).toEqual([]);
  });

  it("splits merged messages into batches of 100, drops beyond the bound, and goes on after a failed call", async () => {
    const r = recorder();
    const dropped: number[] = [];
    const failures: string[] = [];
    const q = new SinkQueue(r.sink, 150, { failed: (kind) => failures.push(kind), dropped: (n) => dropped.push(n) });
    const taken = q.push([
      { kind: "messages", items: [{ ...item(0), externalId: "boom" }] },
      { kind: "messages", items: Array.from({ length: 160 }, (_, i) => item(i + 1)) },
    ]);
    expect(taken).toBe(150);
    expect(dropped).toEqual([11]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    q.push([{ kind: "cleared", target: null }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await q.close();
    expect(failures).toEqual(["messages"]);
    const sizes = r.calls.map((c) => (c.startsWith("messages:") ? c.split(",").length : c));
    expect(sizes).toEqual([100, 50, "cleared:all"]);
  });
});
