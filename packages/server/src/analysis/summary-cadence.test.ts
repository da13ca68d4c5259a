import type { Message } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { SummaryCadence } from "./summary-cadence.js";

function message(seq: number): Message {
  return {
    id: `m${seq}`,
    channel: "c",
    seq,
    text: `line ${seq}`,
    createdAt: seq,
    author: { id: "u", username: "u", displayName: "u", color: "#fff", role: "viewer", badges: [], platform: "chorus" },
  };
}

describe("summary cadence", () => {
  it("is due after exactly every n-th message", () => {
    const c = new SummaryCadence();
    const due: number[] = [];
    for (let seq = 1; seq <= 65; seq++) {
      const d = c.message(message(seq), 20);
      if (d) due.push(d.toSeq);
    }
    expect(due).toEqual([20, 40, 60]);
  });

  it("counts messages only: other events between them do not shift it", () => {
    const c = new SummaryCadence();
    const due: number[] = [];
    let seq = 0;
    for (let i = 0; i < 10; i++) {
      seq += 2; // an event that is not a message between every two messages
      const d = c.message(message(seq), 5);
      if (d) due.push(d.toSeq);
    }
    expect(due).toEqual([10, 20]);
  });

  it("after a failover continues from the last summary in the log: none twice, none missing", () => {
    // The old leader wrote the summary up to 20 (logged as seq 23) and died; chat went on to 47:
    // the 20th message after seq 20 is 41 (21, 22, then 24 … 41).
    const c = new SummaryCadence();
    let seq = 0;
    for (let i = 1; i <= 22; i++) c.message(message(++seq), 20, true);
    seq++;
    c.summary(20);
    for (let i = 0; i < 24; i++) c.message(message(++seq), 20, true);
    expect(c.finishReplay(20, false).map((d) => d.toSeq)).toEqual([41]);
    const next: number[] = [];
    for (let i = 0; i < 20; i++) {
      const d = c.message(message(++seq), 20);
      if (d) next.push(d.toSeq);
    }
    expect(next).toEqual([61]);
  });

  it("when the old leader died before writing, the new one writes it", () => {
    const c = new SummaryCadence();
    for (let seq = 2; seq <= 26; seq++) c.message(message(seq), 20, true); // seq 1: not a message
    expect(c.finishReplay(20, true).map((d) => d.toSeq)).toEqual([21]);
  });

  it("does not summarise old history it finds without any summary in it", () => {
    const c = new SummaryCadence();
    for (let seq = 5000; seq <= 5100; seq++) c.message(message(seq), 20, true);
    expect(c.finishReplay(20, false)).toEqual([]);
    expect(c.lastToSeq).toBe(5100);
  });

  it("covers the last `window` messages up to toSeq, leaving deleted and cleared ones out", () => {
    const c = new SummaryCadence();
    for (let seq = 1; seq <= 30; seq++) c.message(message(seq), 1000);
    c.remove("m25");
    const { messages, fromSeq } = c.covered(28, 10);
    expect(fromSeq).toBe(19);
    expect(messages.map((m) => m.seq)).toEqual([19, 20, 21, 22, 23, 24, 26, 27, 28]);
    c.clear(22);
    expect(c.covered(28, 10).messages.map((m) => m.seq)).toEqual([23, 24, 26, 27, 28]);
  });
});

describe("summary cadence over a long run", () => {
  it("keeps its count exact past the kept window, and forgets deletions of messages it no longer keeps", () => {
    const c = new SummaryCadence();
    const due: number[] = [];
    for (let seq = 1; seq <= 5000; seq++) {
      if (seq % 7 === 0) c.remove(`m${seq - 1}`);
      const d = c.message(message(seq), 1000);
      if (d) due.push(d.toSeq);
    }
    expect(due).toEqual([1000, 2000, 3000, 4000, 5000]);
    const { messages, fromSeq } = c.covered(5000, 10);
    expect(fromSeq).toBe(4991);
    expect(messages.map((m) => m.seq)).not.toContain(4997); // deleted when seq 4998 came
    expect(messages).toHaveLength(9);
    expect((c as unknown as { deleted: Set<string> }).deleted.size).toBeLessThanOrEqual(2000 / 7 + 1);
  });
});
