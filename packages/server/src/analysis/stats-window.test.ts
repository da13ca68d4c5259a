import type { Message, Sentiment } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { StatsWindow, type TextFeatures } from "./stats-window.js";

const EMOTES = new Set(["KEKW", "Pog"]);
const features: TextFeatures = {
  emotes: (m) => m.text.split(/\s+/).filter((w) => EMOTES.has(w)),
  terms: (m) =>
    m.text
      .toLowerCase()
      .split(/\W+/)
      .filter((w) => w.length > 3),
};

let seq = 0;
function message(text: string, author: string, sentiment?: Sentiment, extra: Partial<Message> = {}): Message {
  seq++;
  return {
    id: `m${seq}`,
    channel: "c",
    seq,
    text,
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
    ...(sentiment ? { sentiment } : {}),
    ...extra,
  };
}
const pos: Sentiment = { label: "positive", score: 0.6, tags: [] };
const neg: Sentiment = { label: "negative", score: -0.4, tags: [] };
const neu: Sentiment = { label: "neutral", score: 0, tags: [] };
const q: Sentiment = { label: "neutral", score: 0, tags: ["question"] };

describe("stats window", () => {
  it("counts rates, chatters, the sentiment mix, top emotes and terms", () => {
    const w = new StatsWindow(features);
    w.add(message("KEKW what a play", "a", pos), 1000);
    w.add(message("KEKW KEKW insane play", "b", pos), 2000);
    w.add(message("Pog", "a", neu), 3000);
    w.add(message("terrible play honestly", "c", neg), 70_000);
    const s = w.snapshot(80_000, 42);
    expect(s).toMatchObject({ at: 80_000, chatters: 3, viewers: 42, lastMinute: 1, messagesPerMinute: 0.8 });
    expect(s.sentiment).toEqual({ positive: 0.5, neutral: 0.25, negative: 0.25 });
    expect(s.mood).toBe(0.2);
    expect(s.topEmotes).toEqual([
      { name: "KEKW", count: 2 },
      { name: "Pog", count: 1 },
    ]);
    expect(s.topTerms[0]).toEqual({ term: "play", count: 3 });
  });

  it("forgets messages older than the window, and deleted or cleared ones", () => {
    const w = new StatsWindow(features, { windowMs: 60_000, topN: 5, maxQuestions: 5 });
    w.add(message("first message", "a", pos), 0);
    const doomed = message("doomed message KEKW", "b", neg);
    w.add(doomed, 30_000);
    w.add(message("third message", "c", neu), 40_000);
    w.remove(doomed.id);
    let s = w.snapshot(50_000, 0);
    expect(s.chatters).toBe(2);
    expect(s.topEmotes).toEqual([]);
    expect(s.sentiment.negative).toBe(0);
    s = w.snapshot(61_000, 0); // the first aged out
    expect(s.chatters).toBe(1);
    expect(w.size).toBe(1);
    w.clear(seq);
    expect(w.snapshot(61_000, 0)).toMatchObject({
      chatters: 0,
      lastMinute: 0,
      sentiment: { positive: 0, neutral: 0, negative: 0 },
    });
  });

  it("lists open questions newest last: not commands, not answered, not deleted", () => {
    const w = new StatsWindow(features);
    const asked = message("what game is this", "a", q);
    const answeredOne = message("when is the next stream", "b", q);
    const deleted = message("is this live", "c", q);
    w.add(asked, 1);
    w.add(answeredOne, 2);
    w.add(deleted, 3);
    w.add(message("!uptime?", "d", q), 4);
    w.add(message("tomorrow", "e", neu, { replyTo: answeredOne.id }), 5);
    w.remove(deleted.id);
    w.add(message("no sentiment yet?", "f"), 6); // without an analysis, a question mark decides
    expect(w.snapshot(10, 0).questions.map((m) => m.text)).toEqual(["what game is this", "no sentiment yet?"]);
  });

  it("leaves messages without sentiment out of the mix, but counts them", () => {
    const w = new StatsWindow(features);
    w.add(message("hello there", "a"), 1);
    w.add(message("great stream", "b", pos), 2);
    const s = w.snapshot(3, 0);
    expect(s.sentiment).toEqual({ positive: 1, neutral: 0, negative: 0 });
    expect(s.lastMinute).toBe(2);
  });
});
