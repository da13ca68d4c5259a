import { describe, expect, it } from "vitest";
import { scanEventFrame } from "../src/clients/frame-scan.js";

const message = (seq: number, text: string, channel = "main") => ({
  op: "event",
  channel,
  seq,
  type: "message",
  at: 1795370425375,
  data: {
    id: `id-${seq}`,
    channel,
    seq,
    text,
    createdAt: 1795370425375,
    author: { id: "u", username: "admin", displayName: "admin", color: "#1E90FF", role: "viewer", badges: [] },
  },
});
const viewers = { op: "event", channel: "main", type: "viewer_count", at: 1, data: { viewers: 3, chatters: 1 } };

describe("scanEventFrame", () => {
  it("reads seq, type and text of every event exactly as JSON.parse would", () => {
    const frame = [
      message(7, "bench 1 1795370116911.289 the quick"),
      viewers,
      message(8, "bench 2 1795370116912.5 fox"),
    ];
    const raw = JSON.stringify(frame);
    expect(scanEventFrame(raw, "main")).toEqual(
      frame.map((e) => ({
        seq: "seq" in e ? e.seq : undefined,
        type: e.type,
        text: "text" in e.data ? e.data.text : undefined,
      })),
    );
  });

  it("falls back (undefined) for frames it cannot be sure about", () => {
    // another op in the frame
    expect(scanEventFrame(JSON.stringify([{ op: "subscribed", channel: "main", seq: 1 }]), "main")).toBeUndefined();
    expect(
      scanEventFrame(JSON.stringify([message(1, "bench 1 2 x"), { op: "reconnect", reason: "x" }]), "main"),
    ).toBeUndefined();
    // escapes in a text, including a text that looks like another frame
    expect(scanEventFrame(JSON.stringify([message(1, 'say "hi"')]), "main")).toBeUndefined();
    expect(scanEventFrame(JSON.stringify([message(1, '{"op":"event",')]), "main")).toBeUndefined();
    // another channel's events
    expect(scanEventFrame(JSON.stringify([message(1, "bench 1 2 x", "other")]), "main")).toBeUndefined();
    // not an array of events at all
    expect(scanEventFrame("[]", "main")).toBeUndefined();
    expect(scanEventFrame('{"op":"event"}', "main")).toBeUndefined();
  });
});
