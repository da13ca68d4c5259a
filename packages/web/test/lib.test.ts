/**
 * The UI's pure logic, without a browser: the feed reducer (bounds, dividers, deletes),
 * text segmentation (which strings may become links), video URL parsing, readable author
 * colours and send-error wording.
 */
import type { Message } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { contrast, parseHex, readableNameColors } from "../src/lib/color.js";
import {
  applyOps,
  EMPTY_FEED,
  type FeedOp,
  type FeedState,
  LIVE_ROWS,
  latestBy,
  PAUSED_ROWS,
  recentMessagesBy,
  setPaused,
  visibleRows,
} from "../src/lib/feed.js";
import {
  ADMIN_RANK,
  addHeld,
  allowedActions,
  describeHoldReason,
  describeModlogEntry,
  formatCountdown,
  formatDuration,
  originNotice,
  removeHeld,
  sanctionActive,
  sanctionFromRefusal,
} from "../src/lib/moderation.js";
import { describeSendError, sentence } from "../src/lib/send-errors.js";
import {
  canEditSetting,
  describeChatModes,
  describeSettingsError,
  parseNumberSetting,
  parseTerm,
  removeTerm,
  termsFull,
  upsertTerm,
  withCategoryLevel,
} from "../src/lib/settings.js";
import { codePoints, mentions, safeHref, segmentText } from "../src/lib/text.js";
import { parseVideoUrl } from "../src/lib/video.js";

function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `id${seq}`,
    channel: "c",
    seq,
    text: `message ${seq}`,
    createdAt: 1_700_000_000_000 + seq,
    author: {
      id: "u1",
      username: "alice",
      displayName: "Alice",
      color: "#ff0000",
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
    ...overrides,
  };
}

const live = (seq: number): FeedOp => ({ op: "message", message: message(seq), live: true });
const seqs = (state: FeedState): number[] =>
  state.rows.flatMap((r) => (r.kind === "message" ? [r.message.seq] : r.kind === "divider" ? [-1] : []));

describe("feed", () => {
  it("appends in order and ignores a seq it already shows", () => {
    const state = applyOps(EMPTY_FEED, [live(1), live(2), live(2), live(1), live(3)]);
    expect(seqs(state)).toEqual([1, 2, 3]);
  });

  it("keeps at most LIVE_ROWS rows while following, the newest ones", () => {
    const ops = Array.from({ length: LIVE_ROWS + 250 }, (_, i) => live(i + 1));
    const state = applyOps(EMPTY_FEED, ops);
    expect(state.rows).toHaveLength(LIVE_ROWS);
    expect(seqs(state).at(-1)).toBe(LIVE_ROWS + 250);
    expect(seqs(state)[0]).toBe(251);
  });

  it("while paused keeps more rows, counts unseen messages, and trims back on resume", () => {
    let state = applyOps(EMPTY_FEED, [live(1)]);
    state = setPaused(state, true);
    state = applyOps(
      state,
      Array.from({ length: LIVE_ROWS + 9 }, (_, i) => live(i + 2)),
    );
    expect(state.unseen).toBe(LIVE_ROWS + 9);
    expect(state.rows).toHaveLength(LIVE_ROWS + 10);
    state = setPaused(state, false);
    expect(state.unseen).toBe(0);
    expect(state.rows).toHaveLength(LIVE_ROWS);
    state = setPaused(state, true);
    state = applyOps(
      state,
      Array.from({ length: PAUSED_ROWS + 5 }, (_, i) => live(i + 1_000)),
    );
    expect(state.rows).toHaveLength(PAUSED_ROWS);
  });

  it("history messages are not counted as unseen", () => {
    const state = applyOps(setPaused(EMPTY_FEED, true), [{ op: "message", message: message(1), live: false }]);
    expect(state.unseen).toBe(0);
  });

  it("puts the reconnect divider right above the first missed message and counts them", () => {
    let state = applyOps(EMPTY_FEED, [live(1), live(2)]);
    state = applyOps(state, [live(3), live(4), live(5), { op: "resumed", fromSeq: 3, toSeq: 5 }, live(6)]);
    expect(seqs(state)).toEqual([1, 2, -1, 3, 4, 5, 6]);
    const divider = state.rows[2];
    expect(divider?.kind === "divider" && divider.text).toContain("3 missed messages");
  });

  it("adds no divider when nothing was missed", () => {
    const state = applyOps(applyOps(EMPTY_FEED, [live(1)]), [{ op: "resumed", fromSeq: 2, toSeq: 1 }]);
    expect(seqs(state)).toEqual([1]);
  });

  it("marks removed messages with why and by whom; viewers see none of them, moderators all", () => {
    const bob = message(2, { id: "b", author: { ...message(2).author, id: "u2", username: "bob" } });
    let state = applyOps(EMPTY_FEED, [live(1), { op: "message", message: bob, live: true }, live(3)]);
    state = applyOps(state, [{ op: "delete", id: "id3", by: "mod" }]);
    const causes = (s: FeedState) => s.rows.map((r) => (r.kind === "message" ? (r.removed?.cause ?? null) : r.kind));
    expect(causes(state)).toEqual([null, null, "deleted"]);
    expect(state.rows[2]?.kind === "message" && state.rows[2].removed?.by).toBe("mod");
    state = applyOps(state, [{ op: "remove_user", username: "bob", cause: "ban", text: "bob was banned", at: 1 }]);
    expect(causes(state)).toEqual([null, "ban", "deleted", "notice"]);
    expect(visibleRows(state.rows, false).map((r) => (r.kind === "message" ? r.message.seq : r.kind))).toEqual([
      1,
      "notice",
    ]);
    expect(visibleRows(state.rows, true)).toBe(state.rows);
    expect(recentMessagesBy(state.rows, "bob", 5, false)).toEqual([]);
    expect(recentMessagesBy(state.rows, "bob", 5, true).map((m) => m.id)).toEqual(["b"]);
    expect(latestBy(state.rows, "alice")?.seq).toBe(3);
    state = applyOps(state, [{ op: "clear", by: "boss", at: 2 }]);
    // Earlier removals keep their cause; the rest are "cleared"; old notices go.
    expect(causes(state)).toEqual(["cleared", "ban", "deleted", "notice"]);
    expect(visibleRows(state.rows, false).map((r) => r.kind)).toEqual(["notice"]);
    // Nothing removed: the same array, so the list does not re-render for nothing.
    const plain = applyOps(EMPTY_FEED, [live(1)]);
    expect(visibleRows(plain.rows, false)).toBe(plain.rows);
  });

  it("never shows chat-delay placeholders, yet moves past their seq", () => {
    const placeholder = message(2, { text: "", deleted: true });
    const state = applyOps(EMPTY_FEED, [
      live(1),
      { op: "message", message: placeholder, live: true },
      // The placeholder's seq counts as seen within the batch: a copy of that seq is not shown.
      { op: "message", message: message(2), live: true },
      live(3),
    ]);
    expect(seqs(state)).toEqual([1, 3]);
    const replaced = applyOps(state, [
      { op: "replace", messages: [message(4), message(5, { text: "", deleted: true })], lossBefore: false, at: 0 },
      live(5),
      live(6),
    ]);
    expect(seqs(replaced)).toEqual([4, 6]);
  });

  it("filters to first-time chatters for moderators", () => {
    const first = (seq: number) => message(seq, { firstMessage: true });
    let state = applyOps(EMPTY_FEED, [
      live(1),
      { op: "message", message: first(2), live: true },
      { op: "notice", text: "The stream started", at: 0 },
      { op: "message", message: first(3), live: true },
    ]);
    state = applyOps(state, [{ op: "delete", id: "id3", by: "mod" }]);
    const shown = (showRemoved: boolean) =>
      visibleRows(state.rows, showRemoved, true).map((r) => (r.kind === "message" ? r.message.seq : r.kind));
    expect(shown(true)).toEqual([2, 3]);
    expect(shown(false)).toEqual([2]);
  });

  it("replaces the feed after a reset and says that messages may be missing", () => {
    let state = applyOps(EMPTY_FEED, [live(1), live(2)]);
    state = applyOps(state, [{ op: "replace", messages: [message(40), message(41)], lossBefore: true, at: 0 }]);
    expect(seqs(state)).toEqual([-1, 40, 41]);
    const first = state.rows[0];
    expect(first?.kind === "divider" && first.tone).toBe("loss");
    // The first page of an empty feed needs no divider.
    expect(seqs(applyOps(EMPTY_FEED, [{ op: "replace", messages: [message(1)], lossBefore: true, at: 0 }]))).toEqual([
      1,
    ]);
  });

  it("gives every row a unique key", () => {
    const state = applyOps(EMPTY_FEED, [
      live(1),
      { op: "notice", text: "a", at: 1 },
      { op: "notice", text: "b", at: 2 },
      live(2),
      { op: "resumed", fromSeq: 2, toSeq: 2 },
    ]);
    expect(new Set(state.rows.map((r) => r.key)).size).toBe(state.rows.length);
  });
});

describe("text", () => {
  it("links only absolute http(s) URLs, without trailing punctuation", () => {
    expect(segmentText("see https://example.com/a?b=1. ok")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { kind: "text", text: ". ok" },
    ]);
    expect(segmentText("(https://en.wikipedia.org/wiki/Foo_(bar))")[1]).toEqual({
      kind: "link",
      text: "https://en.wikipedia.org/wiki/Foo_(bar)",
      href: "https://en.wikipedia.org/wiki/Foo_(bar)",
    });
  });

  it("never turns other schemes or credential tricks into links", () => {
    for (const text of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox",
      "<a href=javascript:alert(1)>x</a>",
      "https://bank.example@evil.example/",
      "www.example.com",
    ]) {
      expect(segmentText(text).filter((s) => s.kind === "link")).toEqual([]);
    }
    expect(safeHref("javascript:alert(1)")).toBeUndefined();
    expect(safeHref('https://example.com/"><img src=x onerror=alert(1)>')).toBe(
      "https://example.com/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
    );
  });

  it("finds mentions but not e-mail addresses", () => {
    expect(segmentText("hi @Bob_1 and mail@example.com").filter((s) => s.kind === "mention")).toEqual([
      { kind: "mention", text: "@Bob_1", username: "bob_1" },
    ]);
    expect(mentions("hey @ALICE", undefined, "alice")).toBe(true);
    expect(mentions("hey @alice", ["bob"], "alice")).toBe(false);
  });

  it("counts code points like the server", () => {
    expect(codePoints("héllo👩‍💻")).toBe(8);
  });
});

describe("video", () => {
  it("turns YouTube links into privacy-enhanced embeds", () => {
    for (const url of [
      "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
      "https://youtu.be/dQw4w9WgXcQ?t=3",
      "https://youtube.com/live/dQw4w9WgXcQ",
      "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
      "https://www.youtube.com/embed/dQw4w9WgXcQ",
    ]) {
      const source = parseVideoUrl(url);
      expect(source?.kind).toBe("youtube");
      expect(source?.kind === "youtube" && source.embedUrl).toMatch(
        /^https:\/\/www\.youtube-nocookie\.com\/embed\/dQw4w9WgXcQ\?/,
      );
    }
  });

  it("plays other http(s) URLs as HLS and refuses everything else", () => {
    expect(parseVideoUrl("https://cdn.example/live/index.m3u8")).toEqual({
      kind: "hls",
      url: "https://cdn.example/live/index.m3u8",
    });
    expect(parseVideoUrl("javascript:alert(1)")).toBeUndefined();
    expect(parseVideoUrl("https://www.youtube.com/watch?v=<script>")).toBeUndefined();
    expect(parseVideoUrl(null)).toBeUndefined();
  });
});

describe("author colours", () => {
  it("reach AA contrast on both themes and never pass a non-hex value through", () => {
    for (const color of ["#000080", "#ffff00", "#ffffff", "#000000", "#1e90ff"]) {
      const { dark, light } = readableNameColors(color, "x");
      expect(contrast(parseHex(dark) ?? [0, 0, 0], [24, 24, 27])).toBeGreaterThanOrEqual(4.5);
      expect(contrast(parseHex(light) ?? [255, 255, 255], [255, 255, 255])).toBeGreaterThanOrEqual(4.5);
    }
    const hostile = readableNameColors("red;background:url(javascript:alert(1))", "mallory");
    expect(hostile.dark).toMatch(/^#[0-9a-f]{6}$/);
    expect(hostile.light).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe("send errors", () => {
  it("counts down rate limits and slow mode from retryAfterMs", () => {
    const p = describeSendError({ code: "rate_limited", status: 429, message: "x", retryAfterMs: 12_000 }, 1_000);
    expect(p.until).toBe(13_000);
    expect(describeSendError({ code: "slow_mode", status: 429, message: "x" }, 0).until).toBe(5_000);
  });

  it("says why: banned, not reachable, session gone", () => {
    expect(describeSendError({ code: "banned", status: 403, message: "x" }, 0).text).toMatch(/banned/);
    expect(describeSendError({ code: "unavailable", status: 0, message: "x" }, 0).retry).toBe(true);
    expect(describeSendError({ code: "unauthorized", status: 401, message: "x" }, 0).signedOut).toBe(true);
    expect(describeSendError({ code: "mode_restricted", status: 403, message: "Emote-only mode is on" }, 0).text).toBe(
      "Emote-only mode is on.",
    );
  });

  it("explains spam, blocked terms and chat modes, with a countdown where the server gives one", () => {
    const spam = describeSendError({ code: "spam", status: 400, message: "too many capital letters" }, 0);
    expect(spam).toEqual({ text: "Not sent: too many capital letters." });
    expect(describeSendError({ code: "blocked_term", status: 400, message: "x" }, 0).text).toMatch(/does not allow/);
    const young = describeSendError(
      { code: "mode_restricted", status: 403, message: "new guests may chat after 60 s", retryAfterMs: 42_000 },
      1_000,
    );
    expect(young).toEqual({ text: "New guests may chat after 60 s.", until: 43_000 });
    const followers = describeSendError(
      { code: "mode_restricted", status: 403, message: "this chat is in followers-only mode: 10 min to chat" },
      0,
    );
    expect(followers.until).toBeUndefined();
    expect(followers.text).toBe("This chat is in followers-only mode: 10 min to chat.");
    expect(sentence("  done!  ")).toBe("Done!");
    expect(sentence("")).toBe("");
  });
});

describe("moderation rules", () => {
  const author = (username: string, role: string, badges: string[] = []) => ({ username, role, badges });
  const mod = { username: "mo", rank: 3 };
  const owner = { username: "own", rank: 4 };
  const admin = { username: "root", rank: ADMIN_RANK };

  it("offers nothing on one's own or the owner's messages, and no sanction on equals", () => {
    expect(allowedActions(null, author("bob", "viewer"))).toEqual({ delete: false, sanction: false });
    expect(allowedActions(mod, author("mo", "moderator"))).toEqual({ delete: false, sanction: false });
    expect(allowedActions(mod, author("own", "owner", ["broadcaster"]))).toEqual({ delete: false, sanction: false });
    expect(allowedActions(admin, author("own", "owner"))).toEqual({ delete: false, sanction: false });
    expect(allowedActions(mod, author("bob", "viewer"))).toEqual({ delete: true, sanction: true });
    expect(allowedActions(mod, author("vip", "vip", ["vip"]))).toEqual({ delete: true, sanction: true });
    expect(allowedActions(mod, author("mo2", "moderator"))).toEqual({ delete: true, sanction: false });
    expect(allowedActions(mod, author("st", "viewer", ["staff"]))).toEqual({ delete: true, sanction: false });
    expect(allowedActions(owner, author("mo2", "moderator"))).toEqual({ delete: true, sanction: true });
    expect(allowedActions({ username: "v", rank: 2 }, author("bob", "viewer"))).toEqual({
      delete: false,
      sanction: false,
    });
  });

  it("reads a refused send as a ban or a timeout with its end", () => {
    expect(sanctionFromRefusal({ code: "banned", until: null }, 0)).toEqual({ kind: "ban", until: null, reason: null });
    expect(sanctionFromRefusal({ code: "timed_out", until: 9_000, retryAfterMs: 1 }, 0)?.until).toBe(9_000);
    expect(sanctionFromRefusal({ code: "timed_out", retryAfterMs: 5_000 }, 1_000)?.until).toBe(6_000);
    expect(sanctionFromRefusal({ code: "rate_limited", retryAfterMs: 5_000 }, 0)).toBeNull();
    expect(sanctionActive({ kind: "timeout", until: 100, reason: null }, 99)).toBe(true);
    expect(sanctionActive({ kind: "timeout", until: 100, reason: null }, 100)).toBe(false);
    expect(sanctionActive({ kind: "ban", until: null, reason: null }, 1e15)).toBe(true);
    expect(sanctionActive(null, 0)).toBe(false);
  });

  it("words hold reasons and keeps the review queue ordered and free of duplicates", () => {
    expect(describeHoldReason("blocked_term")).toBe("Blocked term");
    expect(describeHoldReason("restricted")).toBe("Restricted user");
    expect(describeHoldReason("automod:aggression")).toBe("AutoMod: aggression");
    expect(describeHoldReason("something_new")).toBe("something_new");
    const a = { id: "a", at: 10 };
    const b = { id: "b", at: 5 };
    const queue = addHeld(addHeld([], a), b);
    expect(queue.map((h) => h.id)).toEqual(["b", "a"]);
    expect(addHeld(queue, { id: "a", at: 1 })).toBe(queue);
    expect(removeHeld(queue, "b").map((h) => h.id)).toEqual(["a"]);
    expect(removeHeld(queue, "zzz")).toBe(queue);
  });

  it("formats durations, countdowns and modlog lines", () => {
    expect(formatDuration(600)).toBe("10 m");
    expect(formatDuration(5_400)).toBe("1 h 30 m");
    expect(formatDuration(1_209_600)).toBe("14 d");
    expect(formatCountdown(9_001)).toBe("0:10");
    expect(formatCountdown(598_000)).toBe("9:58");
    expect(formatCountdown(86_399_000)).toBe("23:59:59");
    expect(formatCountdown(-5)).toBe("0:00");
    const entry = { actor: "mo", target: "bob", details: { durationSec: 600 } };
    expect(describeModlogEntry({ ...entry, action: "timeout" })).toBe("mo timed out bob for 10 m");
    expect(describeModlogEntry({ ...entry, action: "unban" })).toBe("mo lifted the ban or timeout of bob");
    expect(describeModlogEntry({ ...entry, action: "set_role", details: { role: "vip" } })).toBe("mo made bob vip");
    expect(describeModlogEntry({ ...entry, action: "approve_held" })).toBe("mo approved a held message by bob");
    expect(describeModlogEntry({ ...entry, action: "restrict" })).toBe("mo restricted bob");
    expect(describeModlogEntry({ ...entry, action: "unrestrict" })).toBe("mo cleared the mark on bob");
  });
});

describe("chat settings", () => {
  it("lets moderators change the chat modes and filters, the owner everything", () => {
    expect(canEditSetting("slowModeSec", 3)).toBe(true);
    expect(canEditSetting("shieldMode", 3)).toBe(true);
    expect(canEditSetting("blockedTerms", 3)).toBe(true);
    expect(canEditSetting("autoModLevel", 3)).toBe(true);
    expect(canEditSetting("guestsAllowed", 3)).toBe(false);
    expect(canEditSetting("blockedTerms", 4)).toBe(true);
    expect(canEditSetting("chatDelaySec", ADMIN_RANK)).toBe(true);
    expect(canEditSetting("slowModeSec", 2)).toBe(false);
  });

  it("reads number fields within the protocol's ranges", () => {
    expect(parseNumberSetting("slowModeSec", " 30 ")).toEqual({ ok: true, value: 30 });
    expect(parseNumberSetting("slowModeSec", "21601").ok).toBe(false);
    expect(parseNumberSetting("slowModeSec", "2.5").ok).toBe(false);
    expect(parseNumberSetting("slowModeSec", "").ok).toBe(false);
    expect(parseNumberSetting("capsLimitPercent", "49")).toEqual({
      ok: false,
      error: "Capitals limit: a whole number from 50 to 100 %.",
    });
    expect(parseNumberSetting("repeatLimit", "3")).toEqual({ ok: true, value: 3 });
    expect(parseNumberSetting("minAccountAgeMin", "0").ok).toBe(false);
    expect(parseNumberSetting("minAccountAgeMin", "525600").ok).toBe(true);
  });

  it("edits AutoMod category overrides without touching the others", () => {
    expect(withCategoryLevel(undefined, "swearing", 0)).toEqual({ swearing: 0 });
    expect(withCategoryLevel({ swearing: 0, bullying: 4 }, "swearing", undefined)).toEqual({ bullying: 4 });
    expect(withCategoryLevel({ bullying: 4 }, "identity", 2)).toEqual({ bullying: 4, identity: 2 });
  });

  it("checks, adds, re-actions and removes blocked terms like the server stores them", () => {
    expect(parseTerm("  SpAm*  ")).toEqual({ ok: true, term: "spam*" });
    expect(parseTerm("*bad")).toEqual({ ok: true, term: "*bad" });
    expect(parseTerm("b*d").ok).toBe(false);
    expect(parseTerm("**").ok).toBe(false);
    expect(parseTerm("x".repeat(101)).ok).toBe(false);
    let list = upsertTerm([], "heck", "hold");
    list = upsertTerm(list, "darn", "mask");
    expect(list).toEqual([
      { term: "heck", action: "hold" },
      { term: "darn", action: "mask" },
    ]);
    // An existing term changes its action in place.
    list = upsertTerm(list, "heck", "reject");
    expect(list).toEqual([
      { term: "heck", action: "reject" },
      { term: "darn", action: "mask" },
    ]);
    expect(removeTerm(list, "heck")).toEqual([{ term: "darn", action: "mask" }]);
    expect(termsFull(list)).toBe(false);
    expect(termsFull(Array.from({ length: 500 }, (_, i) => ({ term: `t${i}`, action: "reject" as const })))).toBe(true);
  });

  it("words errors and the modes a chatter sees", () => {
    expect(describeSettingsError({ code: "forbidden", message: "x" })).toBe(
      "Only the broadcaster can change that setting.",
    );
    expect(describeSettingsError({ code: "invalid_request", message: "slowModeSec too large" })).toBe(
      "That value is not allowed: slowModeSec too large.",
    );
    expect(describeSettingsError({ code: "internal", message: "boom" })).toBe("Not saved: boom");
    const settings = {
      slowModeSec: 30,
      followersOnlyMin: 0,
      subscribersOnly: false,
      emoteOnly: true,
      uniqueChat: false,
      guestsAllowed: true,
      blockedTerms: [],
      autoModLevel: 0,
      shieldMode: false,
      linksMinRole: "vip" as const,
      capsLimitPercent: null,
      repeatLimit: null,
      guestCooldownSec: 0,
      minAccountAgeMin: null,
      chatDelaySec: 0 as const,
      retention: "forever" as const,
      summaryEvery: 20,
      summaryWindow: 100,
      sentimentEmotes: {},
    };
    expect(describeChatModes(settings)).toEqual(["Slow mode 30 s", "Followers-only", "Emote-only"]);
    expect(describeChatModes({ ...settings, slowModeSec: 0, followersOnlyMin: null, emoteOnly: false })).toEqual([]);
  });
});

describe("origin moderation notices", () => {
  it("says what happened on the platform, or why it refused", () => {
    expect(originNotice({ platform: "twitch", action: "delete", target: "x", ok: true })).toBe(
      "Also deleted on Twitch: the message.",
    );
    expect(originNotice({ platform: "twitch", action: "timeout", target: "rude@twitch", ok: true })).toBe(
      "Also timed out on Twitch: rude.",
    );
    expect(
      originNotice({ platform: "twitch", action: "ban", target: "rude@twitch", ok: false, error: "not a moderator" }),
    ).toBe("Twitch refused (banned rude here only): not a moderator");
  });
});
