import type { ChannelEvent } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import {
  type ChannelResume,
  ChannelStream,
  type ChannelStreamOptions,
  classifySeq,
  type SubscriptionUpdate,
} from "../src/channel-stream.js";
import { ChorusError } from "../src/errors.js";
import { fakeHistory, messageFrame } from "./helpers.js";

function logged(seq: number): ChannelEvent {
  const frame = messageFrame(seq);
  if (frame.op !== "event") throw new Error("unreachable");
  return frame;
}

const viewerCount: ChannelEvent = {
  op: "event",
  channel: "main",
  type: "viewer_count",
  at: 1,
  data: { viewers: 3, chatters: 1 },
};

function setup(overrides: Partial<ChannelStreamOptions> = {}, historySeqs: number[] = []) {
  const updates: SubscriptionUpdate[] = [];
  const resumes: ChannelResume[] = [];
  const history = fakeHistory(historySeqs);
  const stream = new ChannelStream({
    channel: "main",
    fetchHistory: history.fetch,
    emit: (u) => updates.push(u),
    onResumed: (r) => resumes.push(r),
    ...overrides,
  });
  const seqs = () => updates.flatMap((u) => (u.kind === "event" && "seq" in u.event ? [u.event.seq] : []));
  return { stream, updates, resumes, history, seqs };
}

/** Lets the stream's pending history requests settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("classifySeq", () => {
  it("delivers the next seq, drops old ones, flags holes", () => {
    expect(classifySeq(undefined, 7)).toBe("deliver");
    expect(classifySeq(5, 6)).toBe("deliver");
    expect(classifySeq(5, 5)).toBe("duplicate");
    expect(classifySeq(5, 1)).toBe("duplicate");
    expect(classifySeq(5, 7)).toBe("gap");
  });
});

describe("ChannelStream", () => {
  it("subscribes without since, then delivers live events after the head", () => {
    const { stream, updates, seqs } = setup();
    expect(stream.subscribeFrame()).toEqual({ op: "subscribe", channel: "main" });
    stream.onSubscribed(10, true);
    expect(updates[0]).toEqual({ kind: "subscribed", channel: "main", seq: 10, recovered: true });
    for (const seq of [9, 10, 11, 12, 12]) stream.onEvent(logged(seq));
    expect(seqs()).toEqual([11, 12]);
    expect(stream.lastSeq).toBe(12);
  });

  it("uses the caller's since on the first subscribe and the cursor afterwards", () => {
    const { stream } = setup({ since: 4 });
    expect(stream.subscribeFrame()).toEqual({ op: "subscribe", channel: "main", since: 4 });
    stream.onSubscribed(6, true);
    stream.onEvent(logged(5));
    stream.onEvent(logged(6));
    stream.disconnected();
    expect(stream.subscribeFrame()).toEqual({ op: "subscribe", channel: "main", since: 6 });
    expect(stream.isResuming).toBe(true);
  });

  it("drops replayed duplicates after a resume and reports how many were missed", () => {
    const { stream, resumes, seqs } = setup();
    stream.subscribeFrame();
    stream.onSubscribed(2, true);
    stream.onEvent(logged(3));
    stream.disconnected();
    stream.subscribeFrame();
    stream.onSubscribed(6, true);
    // An overlapping replay (seq 3 again) must not be delivered twice.
    for (const seq of [3, 4, 5, 5, 6, 7]) stream.onEvent(logged(seq));
    expect(seqs()).toEqual([3, 4, 5, 6, 7]);
    expect(resumes).toEqual([{ channel: "main", fromSeq: 4, toSeq: 6, missed: 3, recovered: true }]);
  });

  it("reports a resume with nothing missed at once", () => {
    const { stream, resumes } = setup();
    stream.subscribeFrame();
    stream.onSubscribed(2, true);
    stream.disconnected();
    stream.subscribeFrame();
    stream.onSubscribed(2, true);
    expect(resumes).toEqual([{ channel: "main", fromSeq: 3, toSeq: 2, missed: 0, recovered: true }]);
  });

  it("ignores events of a connection that is gone", () => {
    const { stream, seqs } = setup();
    stream.subscribeFrame();
    stream.onSubscribed(0, true);
    stream.disconnected();
    stream.onEvent(logged(1));
    expect(seqs()).toEqual([]);
    expect(stream.lastSeq).toBe(0);
  });

  it("buffers events that arrive before `subscribed` and orders them", () => {
    const { stream, seqs } = setup({ since: 0 });
    stream.subscribeFrame();
    stream.onEvent(logged(2));
    stream.onEvent(logged(1));
    stream.onSubscribed(2, true);
    expect(seqs()).toEqual([1, 2]);
  });

  it("passes ephemeral events through without touching the cursor", () => {
    const { stream, updates } = setup();
    stream.subscribeFrame();
    stream.onSubscribed(5, true);
    stream.onEvent(viewerCount);
    stream.onEvent(viewerCount);
    expect(updates.filter((u) => u.kind === "event")).toHaveLength(2);
    expect(stream.lastSeq).toBe(5);
  });

  it("fills a gap from REST history, paging, before the event that revealed it", async () => {
    const { stream, history, updates, seqs } = setup({ gapPageSize: 2 }, [1, 2, 3, 4, 5, 6, 7, 8]);
    stream.subscribeFrame();
    stream.onSubscribed(1, true);
    stream.onEvent(logged(7)); // 2..6 are missing
    stream.onEvent(logged(8)); // arrives while the gap is being filled
    stream.onEvent(logged(7)); // duplicate of a buffered event
    await settle();
    expect(seqs()).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(history.queries).toEqual([
      { after: 1, limit: 2 },
      { after: 3, limit: 2 },
      { after: 5, limit: 2 },
    ]);
    const filled = updates.filter((u) => u.kind === "event" && u.fromHistory === true);
    expect(filled).toHaveLength(5);
  });

  it("moves past seqs that history cannot return (non-message events, deleted messages)", async () => {
    // seq 3 was, say, a message_deleted: history only has 2 and 4.
    const { stream, seqs } = setup({}, [1, 2, 4, 6]);
    stream.subscribeFrame();
    stream.onSubscribed(1, true);
    stream.onEvent(logged(5));
    await settle();
    expect(seqs()).toEqual([2, 4, 5]);
    stream.onEvent(logged(6));
    expect(seqs()).toEqual([2, 4, 5, 6]);
  });

  it("reports a failed gap repair and still continues live", async () => {
    const failure = new ChorusError("unavailable", "down");
    const { stream, updates, seqs } = setup({ fetchHistory: () => Promise.reject(failure) });
    stream.subscribeFrame();
    stream.onSubscribed(1, true);
    stream.onEvent(logged(4));
    await settle();
    expect(updates).toContainEqual({ kind: "error", channel: "main", error: failure, fatal: false });
    expect(seqs()).toEqual([4]);
  });

  it("recovered:false → loads the latest page up to the head and emits a reset", async () => {
    const { stream, updates, history, resumes, seqs } = setup({ resetPageSize: 3 }, [40, 41, 42, 43, 44, 45]);
    stream.subscribeFrame();
    stream.onSubscribed(10, true);
    stream.disconnected();
    stream.subscribeFrame();
    stream.onSubscribed(44, false);
    stream.onEvent(logged(45)); // live, while the page loads
    await settle();
    expect(history.queries).toEqual([{ before: 45, limit: 3 }]);
    const reset = updates.find((u) => u.kind === "reset");
    expect(reset).toMatchObject({ kind: "reset", channel: "main", seq: 44 });
    expect(reset?.kind === "reset" && reset.messages.map((m) => m.seq)).toEqual([42, 43, 44]);
    expect(seqs()).toEqual([45]);
    expect(resumes).toEqual([{ channel: "main", fromSeq: 11, toSeq: 44, missed: 0, recovered: false }]);
  });

  it("treats a since beyond the head as unrecoverable even if the server says otherwise", async () => {
    const { stream, updates, seqs } = setup({ since: 1_000_000 }, [1, 2, 3]);
    stream.subscribeFrame();
    stream.onSubscribed(3, true);
    await settle();
    expect(updates.some((u) => u.kind === "reset")).toBe(true);
    stream.onEvent(logged(4));
    expect(seqs()).toEqual([4]);
  });

  it("drops a reload that finishes after the connection changed", async () => {
    const { stream, updates } = setup({}, [1, 2]);
    stream.subscribeFrame();
    stream.onSubscribed(2, true);
    stream.disconnected();
    stream.subscribeFrame();
    stream.onSubscribed(2, false);
    stream.disconnected();
    await settle();
    expect(updates.some((u) => u.kind === "reset")).toBe(false);
  });

  it("ends the subscription on an error that answers the subscribe", () => {
    const { stream, updates } = setup();
    stream.subscribeFrame();
    const error = new ChorusError("not_found", "no such channel");
    expect(stream.onError(error)).toBe(true);
    expect(updates).toEqual([{ kind: "error", channel: "main", error, fatal: true }]);
  });
});
