import type { ChannelEvent, Message } from "@chorus/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Metrics } from "../metrics.js";
import { takeDue } from "./chat-delay.js";
import type { EncodedBatch } from "./encoded.js";
import { Hub, type Subscriber } from "./hub.js";

let seq = 0;
const message = (id: string, author = "alice"): ChannelEvent => {
  const data: Message = {
    id,
    channel: "c",
    seq: ++seq,
    text: `text of ${id}`,
    createdAt: 0,
    author: {
      id: author,
      username: author,
      displayName: author,
      color: "#fff",
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
  };
  return { op: "event", channel: "c", seq: data.seq, type: "message", at: 0, data };
};
const logged = <T extends ChannelEvent["type"]>(type: T, data: object): ChannelEvent =>
  ({ op: "event", channel: "c", seq: ++seq, type, at: 0, data }) as unknown as ChannelEvent;

class Recorder implements Subscriber {
  readonly user = null;
  readonly events: Array<{ type: string; seq?: number; data: { text?: string; deleted?: boolean } }> = [];
  deliver(batch: EncodedBatch): void {
    for (const e of batch.events) this.events.push(JSON.parse(e.json));
  }
  flush(): number {
    return 1;
  }
}

describe("chat delay: what is due", () => {
  it("releases only what is due, and blanks messages removed later in the queue", () => {
    const queue = [
      { due: 10, event: message("m1") },
      { due: 10, event: message("m2", "bob") },
      { due: 10, event: message("m3") },
      { due: 10, event: message("m4", "carol") },
      { due: 11, event: logged("message_deleted", { id: "m1", by: "mod" }) },
      { due: 12, event: logged("user_timed_out", { username: "bob", until: 99, reason: null }) },
      { due: 20, event: message("m5") },
    ];
    const out = takeDue(queue, 12);
    expect(out.map((e) => e.type)).toEqual([
      "message",
      "message",
      "message",
      "message",
      "message_deleted",
      "user_timed_out",
    ]);
    const texts = out.flatMap((e) => (e.type === "message" ? [[e.data.id, e.data.text, e.data.deleted ?? false]] : []));
    expect(texts).toEqual([
      ["m1", "", true],
      ["m2", "", true],
      ["m3", "text of m3", false],
      ["m4", "text of m4", false],
    ]);
    // Seqs unchanged: a viewer's stream stays contiguous.
    expect(out.map((e) => ("seq" in e ? e.seq : 0))).toEqual(
      queue.slice(0, 6).map((q) => ("seq" in q.event ? q.event.seq : 0)),
    );
    expect(takeDue(queue, 9)).toEqual([]);
  });

  it("blanks everything before a clear, nothing after it", () => {
    const queue = [
      { due: 1, event: message("a") },
      { due: 1, event: logged("chat_cleared", { by: "mod" }) },
      { due: 1, event: message("b") },
    ];
    const out = takeDue(queue, 1);
    expect(out.map((e) => (e.type === "message" ? e.data.text : e.type))).toEqual(["", "chat_cleared", "text of b"]);
  });
});

describe("chat delay in the hub", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives moderators logged events at once and viewers after the delay; a delete in time blanks it for viewers only", async () => {
    vi.useFakeTimers();
    let delayMs = 2_000;
    const hub = new Hub(new Metrics(), { flushIntervalMs: 0, delayOf: () => delayMs });
    const viewer = new Recorder();
    const moderator = new Recorder();
    hub.subscribe("c", viewer);
    hub.subscribe("c", moderator, "moderators");
    const bad = message("bad");
    const good = message("good");
    hub.publish("c", [bad, good]);
    hub.publish("c", [{ op: "event", channel: "c", type: "user_joined", at: 0, data: { username: "x" } }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(moderator.events.map((e) => e.type)).toEqual(["message", "message", "user_joined"]);
    expect(viewer.events.map((e) => e.type)).toEqual(["user_joined"]); // presence is not held back
    await vi.advanceTimersByTimeAsync(1_000);
    hub.publish("c", [logged("message_deleted", { id: "bad", by: "mod" })]);
    await vi.advanceTimersByTimeAsync(999);
    expect(viewer.events).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(viewer.events.slice(1).map((e) => [e.type, e.data.text ?? null, e.data.deleted ?? false])).toEqual([
      ["message", "", true],
      ["message", "text of good", false],
    ]);
    expect(moderator.events.filter((e) => e.type === "message").map((e) => e.data.text)).toEqual([
      "text of bad",
      "text of good",
    ]);
    // Switching the delay off never lets a new event overtake a queued one.
    delayMs = 0;
    hub.publish("c", [message("after")]);
    await vi.advanceTimersByTimeAsync(0);
    expect(viewer.events.at(-1)?.type).toBe("message");
    expect(viewer.events.at(-1)?.data.text).toBe("text of good");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(viewer.events.map((e) => e.type)).toEqual([
      "user_joined",
      "message",
      "message",
      "message_deleted",
      "message",
    ]);
    // Nothing queued any more: delivery is immediate again, and moderators got each event once.
    hub.publish("c", [message("now")]);
    await vi.advanceTimersByTimeAsync(0);
    expect(viewer.events.at(-1)?.data.text).toBe("text of now");
    expect(moderator.events.filter((e) => e.type === "message")).toHaveLength(4);
  });
});
