/** The streamer tools' pure logic: replay timeline, badges, emotes, burst generator and batching. */
import type { Message } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import {
  advance,
  batches,
  burstItems,
  describeBadge,
  EMPTY_TALLY,
  filterTranscript,
  formatSpan,
  platformBadges,
  replaySpan,
  safeImageUrl,
  seeded,
  segmentEmotes,
  shownCount,
  tally,
} from "../src/lib/streamer.js";

const msg = (seq: number, createdAt: number, text: string, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  channel: "c",
  seq,
  text,
  createdAt,
  author: {
    id: "u",
    username: `user${seq}`,
    displayName: `User${seq}`,
    color: "#fff",
    role: "viewer",
    badges: [],
    platform: "chorus",
  },
  ...extra,
});

describe("replay timeline", () => {
  const messages = [msg(1, 1_000, "a"), msg(2, 2_000, "b"), msg(3, 2_000, "c"), msg(4, 9_000, "d")];

  it("shows messages up to and including the playhead", () => {
    expect(shownCount(messages, 0)).toBe(0);
    expect(shownCount(messages, 1_000)).toBe(1);
    expect(shownCount(messages, 1_999)).toBe(1);
    expect(shownCount(messages, 2_000)).toBe(3);
    expect(shownCount(messages, 8_999)).toBe(3);
    expect(shownCount(messages, 10_000)).toBe(4);
    expect(shownCount([], 10)).toBe(0);
  });

  it("spans the broadcast, widened to its messages", () => {
    expect(replaySpan(500, 10_000, messages)).toEqual({ start: 500, end: 10_000 });
    expect(replaySpan(1_500, 5_000, messages)).toEqual({ start: 1_000, end: 9_000 });
    expect(replaySpan(500, null, messages)).toEqual({ start: 500, end: 9_000 });
    expect(replaySpan(500, null, [])).toEqual({ start: 500, end: 500 });
  });

  it("advances by wall time times speed and stops at the end", () => {
    expect(advance(1_000, 100, 4, 10_000)).toBe(1_400);
    expect(advance(1_000, 100, 0.5, 10_000)).toBe(1_050);
    expect(advance(9_900, 1_000, 2, 10_000)).toBe(10_000);
    expect(advance(1_000, -50, 1, 10_000)).toBe(1_000);
  });

  it("formats spans", () => {
    expect(formatSpan(0)).toBe("0:00");
    expect(formatSpan(65_000)).toBe("1:05");
    expect(formatSpan(3_725_000)).toBe("1:02:05");
  });

  it("filters by text and author, never by a deleted message's (absent) text", () => {
    const list = [msg(1, 1, "hello world"), msg(2, 2, "", { deleted: true }), msg(3, 3, "bye")];
    expect(filterTranscript(list, "HELLO").map((m) => m.seq)).toEqual([1]);
    expect(filterTranscript(list, "user3").map((m) => m.seq)).toEqual([3]);
    expect(filterTranscript(list, "  ").length).toBe(3);
  });
});

describe("badges", () => {
  it("reads months and platform badges", () => {
    expect(describeBadge("subscriber/14")).toEqual({ kind: "subscriber", label: "Subscriber (14 months)", months: 14 });
    expect(describeBadge("member/1")).toEqual({ kind: "member", label: "Member (1 month)", months: 1 });
    expect(describeBadge("founder")).toEqual({ kind: "founder", label: "Founder" });
    expect(describeBadge("og").kind).toBe("og");
    expect(describeBadge("verified").label).toBe("Verified");
    expect(describeBadge("owner").kind).toBe("broadcaster");
    expect(describeBadge("subscriber/x")).toEqual({ kind: "subscriber", label: "Subscriber" });
    expect(describeBadge("__proto__").kind).toBe("other");
    expect(describeBadge("sparkle")).toEqual({ kind: "other", label: "sparkle" });
  });

  it("maps the simulator's roles to each platform's vocabulary", () => {
    const all = { vip: true, mod: true, sub: true };
    expect(platformBadges("twitch", all)).toEqual(["moderator/1", "vip/1", "subscriber/6"]);
    expect(platformBadges("youtube", { vip: false, mod: false, sub: true }, 3)).toEqual(["member/3"]);
    expect(platformBadges("kick", { vip: true, mod: false, sub: false })).toEqual(["vip"]);
    expect(platformBadges("generic", { vip: false, mod: false, sub: false })).toEqual([]);
  });
});

describe("emotes", () => {
  it("loads https images only", () => {
    expect(safeImageUrl("https://cdn.example/e.png")).toBe("https://cdn.example/e.png");
    expect(safeImageUrl("http://cdn.example/e.png")).toBeNull();
    expect(safeImageUrl("javascript:alert(1)")).toBeNull();
    expect(safeImageUrl("data:image/png;base64,AAAA")).toBeNull();
    expect(safeImageUrl("not a url")).toBeNull();
    expect(safeImageUrl(undefined)).toBeNull();
  });

  it("splits text at emotes by code point, leaving unsafe or bad ranges as text", () => {
    const text = "😀 Kappa hi PogChamp";
    const segs = segmentEmotes(text, [
      { name: "PogChamp", start: 11, end: 18, url: "https://e/2" },
      { name: "Kappa", start: 2, end: 6, url: "https://e/1" },
    ]);
    expect(segs).toEqual([
      { kind: "text", text: "😀 " },
      { kind: "emote", name: "Kappa", url: "https://e/1" },
      { kind: "text", text: " hi " },
      { kind: "emote", name: "PogChamp", url: "https://e/2" },
    ]);
    expect(segmentEmotes("Kappa", [{ name: "Kappa", start: 0, end: 4, url: "http://e/1" }])).toEqual([
      { kind: "text", text: "Kappa" },
    ]);
    expect(segmentEmotes("Kappa", [{ name: "Kappa", start: 0, end: 9, url: "https://e/1" }])).toEqual([
      { kind: "text", text: "Kappa" },
    ]);
  });
});

describe("burst", () => {
  it("is varied, reproducible with a seed, and unique per item", () => {
    const a = burstItems(200, "run", seeded(7));
    const b = burstItems(200, "run", seeded(7));
    expect(a).toEqual(b);
    expect(new Set(a.map((x) => x.item.externalId)).size).toBe(200);
    expect(new Set(a.map((x) => x.platform)).size).toBe(4);
    expect(new Set(a.map((x) => x.item.username)).size).toBeGreaterThan(5);
    expect(new Set(a.map((x) => x.item.text)).size).toBeGreaterThan(10);
    for (const x of a) expect(x.item.text.length).toBeGreaterThan(0);
  });

  it("batches per platform, at most 100 per request, keeping every item", () => {
    const items = burstItems(450, "r", seeded(1));
    const groups = batches(items);
    expect(groups.every((g) => g.items.length <= 100 && g.items.length > 0)).toBe(true);
    expect(groups.reduce((n, g) => n + g.items.length, 0)).toBe(450);
    for (const g of groups)
      for (const item of g.items) expect(items.find((x) => x.item === item)?.platform).toBe(g.platform);
  });

  it("tallies results by status", () => {
    const t = tally(EMPTY_TALLY, [
      { externalId: "a", status: "published" },
      { externalId: "b", status: "published" },
      { externalId: "c", status: "rejected", code: "spam" },
      { externalId: "d", status: "held" },
    ]);
    expect(t).toEqual({ published: 2, duplicate: 0, held: 1, rejected: 1 });
    expect(EMPTY_TALLY.published).toBe(0);
  });
});
