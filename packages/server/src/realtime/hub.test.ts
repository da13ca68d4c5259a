import type { ChannelEvent } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { Metrics } from "../metrics.js";
import type { EncodedBatch } from "./encoded.js";
import { Hub, type Subscriber } from "./hub.js";

class Recorder implements Subscriber {
  readonly user = null;
  readonly batches: EncodedBatch[] = [];
  deliver(batch: EncodedBatch): void {
    this.batches.push(batch);
  }
  flush(): number {
    return 1;
  }
  names(): string[] {
    return this.batches.flatMap((b) =>
      b.events.map((e) => (JSON.parse(e.json) as { data: { username: string } }).data.username),
    );
  }
}

const joined = (username: string): ChannelEvent => ({
  op: "event",
  channel: "c",
  type: "user_joined",
  at: 0,
  data: { username },
});

describe("hub audiences", () => {
  it("encodes one batch per audience, shared by every subscriber of it, keeping the order", () => {
    const hub = new Hub(new Metrics(), { flushIntervalMs: 0 });
    const [v1, v2, m1, m2] = [new Recorder(), new Recorder(), new Recorder(), new Recorder()];
    hub.subscribe("c", v1);
    hub.subscribe("c", v2);
    hub.subscribe("c", m1, "moderators");
    hub.subscribe("c", m2, "moderators");
    hub.publish("c", [joined("a")]);
    hub.publish("c", [joined("held")], "moderators");
    hub.publish("c", [joined("b")]);
    hub.flush();
    expect(v1.names()).toEqual(["a", "b"]);
    expect(m1.names()).toEqual(["a", "held", "b"]);
    expect(v1.batches[0]).toBe(v2.batches[0]);
    expect(m1.batches[0]).toBe(m2.batches[0]);
  });

  it("shares one batch between the audiences when nothing is moderator-only", () => {
    const hub = new Hub(new Metrics(), { flushIntervalMs: 0 });
    const [viewer, moderator] = [new Recorder(), new Recorder()];
    hub.subscribe("c", viewer);
    hub.subscribe("c", moderator, "moderators");
    hub.publish("c", [joined("a")]);
    hub.flush();
    expect(viewer.batches[0]).toBe(moderator.batches[0]);
  });

  it("drops moderator-only events when no moderator listens, and moves subscribers between audiences", () => {
    const hub = new Hub(new Metrics(), { flushIntervalMs: 0 });
    const viewer = new Recorder();
    hub.subscribe("c", viewer);
    hub.publish("c", [joined("held")], "moderators");
    hub.flush();
    expect(viewer.batches).toEqual([]);
    hub.setAudience("c", viewer, "moderators");
    expect(hub.audienceOf("c", viewer)).toBe("moderators");
    hub.publish("c", [joined("held-2")], "moderators");
    hub.flush();
    expect(viewer.names()).toEqual(["held-2"]);
    hub.setAudience("c", viewer, "everyone");
    hub.publish("c", [joined("held-3")], "moderators");
    hub.publish("c", [joined("public")]);
    hub.flush();
    expect(viewer.names()).toEqual(["held-2", "public"]);
    expect(hub.subscriberCount("c")).toBe(1);
    hub.unsubscribe("c", viewer);
    expect(hub.subscriberCount("c")).toBe(0);
  });
});
