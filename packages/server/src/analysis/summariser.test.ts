import type { Message, Sentiment } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { clip, MAX_SUMMARY_CHARS, summariseLocally } from "./summariser.js";

type Label = Sentiment["label"];
type Tag = Sentiment["tags"][number];

function chat() {
  let seq = 0;
  return (author: string, text: string, label?: Label, tags: Tag[] = []): Message => {
    seq += 1;
    const sentiment: Sentiment | undefined =
      label === undefined
        ? undefined
        : { label, score: label === "positive" ? 0.6 : label === "negative" ? -0.6 : 0, tags };
    return {
      id: `m${seq}`,
      channel: "speedy",
      seq,
      text,
      createdAt: 1_700_000_000_000 + seq * 1000,
      author: {
        id: `id-${author}`,
        username: author,
        displayName: author,
        color: "#ffffff",
        role: "viewer",
        badges: [],
        platform: "chorus",
      },
      ...(sentiment === undefined ? {} : { sentiment }),
    };
  };
}

/** The quoted passages of a summary. */
function quotes(summary: string): string[] {
  return [...summary.matchAll(/"([^"]+)"/gu)].map((m) => m[1] ?? "");
}

function sentences(summary: string): number {
  return summary.split(/(?<=[.?!]"?\)?\.?)\s+(?=[A-Z0-9])/u).length;
}

function bossWindow(): Message[] {
  const m = chat();
  return [
    m("ann", "that boss fight was insane", "positive", ["hype"]),
    m("bob", "KEKW KEKW", "positive", ["humor"]),
    m("cat", "the boss fight music slaps", "positive", ["compliment"]),
    m("dan", "what sword is that?", "neutral", ["question"]),
    m("eve", "Pog boss fight done first try", "positive", ["hype"]),
    m("fay", "lag is terrible today", "negative"),
    m("gus", "so much lag monkaS", "negative"),
    m("hal", "What sword is that??", "neutral", ["question"]),
    m("ivy", "is this the final boss?", "neutral", ["question"]),
    m("jon", "Pog", "positive", ["hype"]),
    m("kim", "!uptime", "neutral"),
    m("spammer", "buy my merch buy my merch", "neutral"),
    m("spammer", "buy my merch buy my merch", "neutral"),
    m("spammer", "merch merch merch", "neutral"),
    m("spammer", "merch discount merch", "neutral"),
    m("lee", "that sword looks so cool", "positive", ["compliment"]),
    m("max", "KEKW he died to the boss fight again", "positive", ["humor"]),
    m("ned", "@speedy the sword is from the dlc", "neutral"),
  ];
}

describe("summariseLocally", () => {
  it("is deterministic", () => {
    const input = { channel: "speedy", messages: bossWindow() };
    const first = summariseLocally(input);
    expect(summariseLocally({ channel: "speedy", messages: bossWindow() })).toBe(first);
    expect(summariseLocally(structuredClone(input))).toBe(first);
  });

  it("names the topics, counts people, and quotes a line that covers them", () => {
    const messages = bossWindow();
    const summary = summariseLocally({ channel: "speedy", messages });
    const people = new Set(messages.map((m) => m.author.id)).size;
    expect(summary).toContain(`Chat (${messages.length} messages from ${people} people)`);
    expect(summary).toContain('"boss fight"');
    expect(summary).toContain('"sword"');
    // Every quote is the window's own text (questions up to case and marks).
    const texts = messages.map((m) => m.text.toLowerCase());
    for (const q of quotes(summary))
      expect(texts.some((t) => t.includes(q.toLowerCase()) || q.includes(" "))).toBe(true);
    const representative = quotes(summary).find((q) => q.includes("boss fight") && q.split(" ").length > 2);
    expect(representative).toBeDefined();
    expect(messages.some((m) => m.text === representative)).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(sentences(summary)).toBeGreaterThanOrEqual(2);
    expect(sentences(summary)).toBeLessThanOrEqual(4);
  });

  it("does not let one spammer set the topic or be quoted", () => {
    const summary = summariseLocally({ channel: "speedy", messages: bossWindow() });
    expect(summary).not.toContain("merch");
    // The spammer's word leads by raw count, so only the author weighting keeps it out.
    const m = chat();
    const flood = [
      ...Array.from({ length: 12 }, () => m("spammer", "giveaway giveaway click giveaway")),
      m("ann", "the new map looks great"),
      m("bob", "this map is huge"),
      m("cat", "map is so pretty"),
    ];
    const flooded = summariseLocally({ channel: "speedy", messages: flood });
    expect(flooded).toContain('"map"');
    expect(flooded).not.toContain("giveaway");
  });

  it("counts a copypasta once, as such, instead of letting its words take over the topics", () => {
    const m = chat();
    const pasta = "I am once again asking the streamer to enable the secret disco lighting mode";
    const messages = [
      ...["a", "b", "c", "d", "e", "f"].map((u) => m(u, pasta)),
      m("g", "the jump puzzle is brutal"),
      m("h", "that jump puzzle again"),
      m("i", "jump puzzle attempt 20"),
    ];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toContain('"jump puzzle"');
    expect(summary).toContain("6 people pasted the same line");
    expect(summary).not.toContain('"disco');
    expect(summary).not.toContain('"lighting');
  });

  it("includes questions, the most asked first, and not commands", () => {
    const m = chat();
    const messages = [
      m("a", "is this the final boss?"),
      m("b", "what sword is that?"),
      m("c", "what sword is that"),
      m("c2", "what sword is that?", "neutral", ["question"]),
      m("d", "!commands?"),
      m("e", "how long is the stream today"),
      m("f", "sword looks cool"),
      m("g", "the sword glows"),
    ];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toMatch(/People ask "what sword is that\?" \(asked by 2 people\) and "is this the final boss\?"/u);
    expect(summary).not.toContain("!commands");
  });

  it("sees a question mark before trailing emotes, and a question the analyser tagged", () => {
    const m = chat();
    const messages = [
      m("a", "did he really skip the cutscene? KEKW"),
      m("b", "tell me the build name please", "neutral", ["question"]),
      m("c", "cutscene skip was wild"),
      m("d", "skip skip"),
    ];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toContain('"did he really skip the cutscene? KEKW"');
    expect(summary).toContain('"tell me the build name please"');
  });

  it("describes an emote-only window by its emotes and their counts", () => {
    const m = chat();
    const messages = Array.from({ length: 30 }, (_, i) =>
      m(`u${i % 12}`, i % 3 === 0 ? "KEKW KEKW" : i % 3 === 1 ? "LUL" : "KEKW 😂"),
    );
    const summary = summariseLocally({ channel: "speedy", messages });
    const kekw = messages.filter((x) => x.text.includes("KEKW")).length;
    const lul = messages.filter((x) => x.text.includes("LUL")).length;
    expect(summary).toContain(`Chat (30 messages from 12 people) is mostly emotes: KEKW ×${kekw}, LUL ×${lul}`);
    expect(summary).toContain("laughing");
  });

  it("counts the channel's own emotes as emotes", () => {
    const m = chat();
    const messages = Array.from({ length: 6 }, (_, i) => m(`u${i}`, "speedyHype speedyHype"));
    expect(summariseLocally({ channel: "speedy", messages, customEmotes: ["speedyHype"] })).toContain(
      "mostly emotes: speedyHype ×6",
    );
    // Without being told, the channel's emote is a word, and the window is no emote window.
    expect(summariseLocally({ channel: "speedy", messages })).not.toContain("mostly emotes");
  });

  it("describes a window of commands", () => {
    const m = chat();
    const messages = [
      ...Array.from({ length: 6 }, (_, i) => m(`u${i}`, "!uptime")),
      ...Array.from({ length: 3 }, (_, i) => m(`v${i}`, "!discord")),
      m("w", "hello"),
    ];
    expect(summariseLocally({ channel: "speedy", messages })).toMatch(
      /^Chat \(10 messages from 10 people\) is mostly bot commands: !uptime ×6 and !discord ×3\./u,
    );
  });

  it("truncates a long quote at a word with an ellipsis", () => {
    const m = chat();
    const long = `the raid boss ${"keeps spawning adds and ".repeat(12)}nobody heals`;
    // The other lines are questions, so the long one is the only line to quote.
    const messages = [m("a", long), m("b", "raid boss down?"), m("c", "is the raid boss hard?"), m("d", "hello")];
    const summary = summariseLocally({ channel: "speedy", messages });
    const quoted = quotes(summary).find((q) => q.startsWith("the raid boss keeps"));
    expect(quoted).toBeDefined();
    expect(quoted?.endsWith("…")).toBe(true);
    expect(quoted?.length).toBeLessThanOrEqual(90);
    expect(long.startsWith((quoted ?? "").slice(0, -1))).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
  });

  it("reads a clearly positive window as upbeat", () => {
    const m = chat();
    const messages = [
      m("a", "this soundtrack is beautiful", "positive", ["compliment"]),
      m("b", "love this soundtrack", "positive"),
      m("c", "best stream ever", "positive", ["compliment"]),
      m("d", "such a chill soundtrack", "positive"),
      m("e", "great vibes tonight", "positive"),
      m("f", "what game is this?", "neutral", ["question"]),
    ];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toMatch(/^Chat \(6 messages from 6 people\) is upbeat/u);
    expect(summary).toContain('"soundtrack"');
  });

  it("reads a clearly negative window as frustrated", () => {
    const m = chat();
    const messages = [
      m("a", "this trap room is awful", "negative"),
      m("b", "worst trap design ever", "negative"),
      m("c", "the trap again, so annoying", "negative"),
      m("d", "this run is painful", "negative"),
      m("e", "I like the music", "positive"),
    ];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toMatch(/^Chat \(5 messages from 5 people\) is frustrated/u);
    expect(summary).toContain('"trap"');
  });

  it("reads hype and laughter from tags and emotes", () => {
    const m = chat();
    const hyped = ["a", "b", "c", "d"].map((u) => m(u, "POGGERS clutch play", "positive", ["hype"]));
    expect(summariseLocally({ channel: "speedy", messages: hyped })).toMatch(/is hyped and upbeat/u);
    const laughing = ["a", "b", "c", "d"].map((u) => m(u, "OMEGALUL he fell off the bridge"));
    expect(summariseLocally({ channel: "speedy", messages: laughing })).toMatch(/is laughing/u);
  });

  it("says nothing about the mood when nothing tells it", () => {
    const m = chat();
    const messages = [m("a", "qué juego tan bueno, el jefe final es increíble"), m("b", "el jefe final me da miedo")];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toMatch(/^Chat \(2 messages from 2 people\) keeps coming back to "jefe final"/u);
    expect(summary).not.toMatch(/upbeat|calm|frustrated|mixed/u);
  });

  it("does not name people: mentions are cut from quotes, names are not topics", () => {
    const m = chat();
    const messages = [
      m("zed", "@yolanda that dragon is huge"),
      m("yolanda", "zed the dragon has a second phase"),
      m("xavier", "dragon phase two already"),
      m("wendy", "yolanda zed dragon"),
    ];
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary).toContain('"dragon');
    expect(summary.toLowerCase()).not.toMatch(/yolanda|zed|xavier|wendy/u);
  });

  it("handles empty and deleted-only windows", () => {
    expect(summariseLocally({ channel: "speedy", messages: [] })).toBe("No chat to summarise.");
    const m = chat();
    const gone = { ...m("a", ""), deleted: true as const };
    expect(summariseLocally({ channel: "speedy", messages: [gone] })).toBe("No chat to summarise.");
  });

  it("stays short and well formed on a large varied window", () => {
    // A seeded generator: the same large window every run.
    let state = 42;
    const next = (n: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state % n;
    };
    const words = ["boss", "sword", "lag", "map", "raid", "heal", "tank", "build", "patch", "skin", "loot", "quest"];
    const fillers = ["the", "is", "so", "that", "lol", "KEKW", "Pog", "?", "!!", "😂"];
    const labels: Label[] = ["positive", "neutral", "negative"];
    const m = chat();
    const messages = Array.from({ length: 300 }, () => {
      const parts = Array.from({ length: 1 + next(12) }, () =>
        next(2) === 0 ? (words[next(words.length)] ?? "") : (fillers[next(fillers.length)] ?? ""),
      );
      return m(`u${next(80)}`, parts.join(" "), labels[next(3)], next(5) === 0 ? ["question"] : []);
    });
    const summary = summariseLocally({ channel: "speedy", messages });
    expect(summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(sentences(summary)).toBeGreaterThanOrEqual(2);
    expect(sentences(summary)).toBeLessThanOrEqual(4);
    expect(summary.endsWith(".")).toBe(true);
  });
});

describe("clip", () => {
  it("keeps short text and cuts long text at a word, never inside an emoji", () => {
    expect(clip("short", 10)).toBe("short");
    expect(clip("one two three four five six", 15)).toBe("one two three…");
    const cut = clip(`${"a".repeat(8)}👨‍👩‍👧👨‍👩‍👧`, 12);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(12);
    expect(cut).not.toMatch(/\u200d…$/u);
  });
});
