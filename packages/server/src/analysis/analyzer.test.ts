import { SENTIMENT_TAGS, Sentiment } from "@chorus/protocol";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeSentiment } from "./analyzer.js";

const label = (text: string, customEmotes?: Record<string, number>) => analyzeSentiment(text, { customEmotes }).label;
const score = (text: string, customEmotes?: Record<string, number>) => analyzeSentiment(text, { customEmotes }).score;
const tags = (text: string) => analyzeSentiment(text).tags;

describe("analyzeSentiment", () => {
  it("reads plain positive, negative and neutral chat", () => {
    expect(label("this stream is so relaxing")).toBe("positive");
    expect(label("this boss is bullshit")).toBe("negative");
    expect(label("what level is he")).toBe("neutral");
  });

  describe("negation", () => {
    it("flips what follows a negator", () => {
      expect(label("good")).toBe("positive");
      expect(label("not good")).toBe("negative");
      expect(label("bad")).toBe("negative");
      expect(label("not bad")).toBe("positive");
      expect(label("isn't bad at all")).toBe("positive");
      expect(label("i don't like this game")).toBe("negative");
    });

    it("reaches a few words ahead but not past a clause break or 'but'", () => {
      expect(label("no way this is good")).toBe("negative");
      expect(label("never hype")).toBe("negative");
      expect(label("not sure, but that was amazing")).toBe("positive");
    });

    it("reads 'no way' on its own as amazement", () => {
      expect(label("no way he hit that")).toBe("positive");
      expect(tags("NO WAY")).toContain("hype");
    });

    it("does not flip an interjection or an emote after a negator", () => {
      expect(label("cant hear anything ugh")).toBe("negative");
      expect(label("not even close Sadge")).toBe("negative");
    });
  });

  describe("emotes", () => {
    it("knows laughter, hype and sadness emotes, case-sensitively", () => {
      expect(label("KEKW")).toBe("positive");
      expect(tags("KEKW")).toContain("humor");
      expect(label("PogChamp")).toBe("positive");
      expect(tags("PogChamp")).toContain("hype");
      expect(label("PepeHands")).toBe("negative");
      expect(label("ResidentSleeper")).toBe("negative");
      // "W" is a verdict, "w" usually means "with".
      expect(label("W")).toBe("positive");
      expect(label("L")).toBe("negative");
      expect(label("w")).toBe("neutral");
    });

    it("falls back to the lower-case lexicon for emote names typed by hand", () => {
      expect(label("kekw")).toBe("positive");
      expect(label("sadge")).toBe("negative");
    });

    it("reads channel subscriber emotes by their suffix", () => {
      expect(label("moonL")).toBe("positive");
      expect(tags("moonPog")).toContain("hype");
      expect(label("moonCry")).toBe("negative");
    });

    it("grows with repeated emotes, but less than linearly", () => {
      const one = score("LUL");
      const three = score("LUL LUL LUL");
      expect(three).toBeGreaterThan(one);
      // Three different laughs weigh more than one laugh said three times.
      expect(score("LUL KEKW LULW")).toBeGreaterThan(three);
    });

    it("reads laughter at a bad play as mockery", () => {
      expect(label("throwing again LUL")).toBe("negative");
      expect(label("skill issue KEKW")).toBe("negative");
      expect(label("im crying 😂")).toBe("positive");
    });
  });

  describe("emphasis", () => {
    it("makes capitals and exclamation marks louder", () => {
      expect(score("NICE")).toBeGreaterThan(score("nice"));
      expect(score("nice!!!")).toBeGreaterThan(score("nice"));
      expect(score("TERRIBLE")).toBeLessThan(score("terrible"));
    });

    it("undoes elongation and makes it louder", () => {
      expect(label("sooooo goooood")).toBe("positive");
      expect(score("goooood")).toBeGreaterThan(score("good"));
      expect(label("LETSGOOOOOOO")).toBe("positive");
      expect(label("lmaoooooo")).toBe("positive");
      expect(label("NOOOOOOO")).toBe("negative");
    });

    it("strengthens with intensifiers and weakens with downtoners", () => {
      expect(score("so good")).toBeGreaterThan(score("good"));
      expect(score("very bad")).toBeLessThan(score("bad"));
      expect(score("kinda good")).toBeLessThan(score("good"));
      expect(score("kinda good")).toBeGreaterThan(0);
      expect(score("a bit annoying")).toBeGreaterThan(score("annoying"));
    });

    it("weights what comes after 'but'", () => {
      expect(label("the start was bad but the ending was amazing")).toBe("positive");
      expect(label("nice graphics but the gameplay is boring and awful")).toBe("negative");
    });
  });

  describe("sarcasm", () => {
    it("turns praise next to Kappa, /s, 🙄 or 'sure buddy' against the message", () => {
      expect(label("great play")).toBe("positive");
      expect(label("great play Kappa")).not.toBe("positive");
      expect(label("amazing strategy /s")).toBe("negative");
      expect(label("best teammates ever 🙄")).toBe("negative");
      expect(label("sure buddy")).toBe("negative");
      expect(tags("great play Kappa")).not.toContain("compliment");
    });

    it("leaves Kappa on its own neutral", () => {
      expect(label("Kappa")).toBe("neutral");
    });
  });

  describe("custom emotes", () => {
    it("extends the lexicon with the channel's own emotes, by exact name", () => {
      expect(label("chorusZap")).toBe("neutral");
      expect(label("chorusZap", { chorusZap: 4 })).toBe("positive");
      expect(label("chorusBonk", { chorusBonk: -4 })).toBe("negative");
      expect(label("choruszap", { chorusZap: 4 })).toBe("neutral");
      expect(label("chorusZap!!", { chorusZap: 4 })).toBe("positive");
    });

    it("overrides the built-in lexicon", () => {
      expect(label("KEKW")).toBe("positive");
      expect(label("KEKW", { KEKW: -3 })).toBe("negative");
      expect(label("PepeHands", { PepeHands: 0 })).toBe("neutral");
      expect(label("Kappa nice", { Kappa: 0 })).toBe("positive");
    });

    it("ignores inherited object keys", () => {
      expect(label("constructor", {})).toBe("neutral");
      expect(label("toString hasOwnProperty", {})).toBe("neutral");
    });
  });

  describe("tags", () => {
    it("tags questions, but not exclamations shaped like them", () => {
      expect(tags("what rank is he")).toContain("question");
      expect(tags("is this ranked?")).toContain("question");
      expect(tags("can you play with viewers")).toContain("question");
      expect(tags("what a play")).not.toContain("question");
      expect(label("what a play")).toBe("positive");
      expect(tags("do it")).not.toContain("question");
    });

    it("tags hype", () => {
      expect(tags("LETS GO")).toContain("hype");
      expect(tags("W")).toContain("hype");
      expect(tags("🔥🔥🔥")).toContain("hype");
      expect(tags("THAT WAS AWESOME!")).toContain("hype");
      expect(tags("not hype")).not.toContain("hype");
    });

    it("tags humor", () => {
      for (const t of ["OMEGALUL", "lol", "lmao", "hahahaha", "😂", "🤣", "jajaja", "kkkkkk", "xD"]) {
        expect(tags(t), t).toContain("humor");
      }
    });

    it("tags compliments aimed at someone", () => {
      for (const t of ["you're so good", "great stream", "love you streamer", "nice play", "legend"]) {
        expect(tags(t), t).toContain("compliment");
      }
      expect(tags("the food looks so good")).not.toContain("compliment");
    });

    it("tags insults aimed at someone", () => {
      for (const t of ["you suck", "trash streamer", "streamer is a bot", "idiot", "L streamer", "🤡"]) {
        expect(tags(t), t).toContain("insult");
        expect(label(t), t).toBe("negative");
      }
      expect(tags("this map is ugly")).not.toContain("insult");
      // A complaint about what happened to the streamer is not abuse of them.
      expect(label("Sadge he lost")).toBe("negative");
      expect(tags("Sadge he lost")).not.toContain("insult");
    });

    it("keeps tags within the protocol's set, in its order", () => {
      const t = analyzeSentiment("you're so good LMAO KEKW LETS GO, what?").tags;
      expect(t.length).toBeGreaterThan(2);
      for (const tag of t) expect(SENTIMENT_TAGS).toContain(tag);
      expect([...t].sort((a, b) => SENTIMENT_TAGS.indexOf(a) - SENTIMENT_TAGS.indexOf(b))).toEqual(t);
    });
  });

  it("reads commands as neutral with no tags", () => {
    expect(analyzeSentiment("!uptime")).toEqual({ label: "neutral", score: 0, tags: [] });
    expect(analyzeSentiment("!sr amazing song I love it")).toEqual({ label: "neutral", score: 0, tags: [] });
    expect(analyzeSentiment("  !discord")).toEqual({ label: "neutral", score: 0, tags: [] });
    expect(label("!!! amazing")).toBe("positive");
  });

  it("leaves non-English fragments neutral unless they carry feeling", () => {
    expect(label("hola a todos")).toBe("neutral");
    expect(label("wie alt bist du")).toBe("neutral");
    expect(label("jajajaja")).toBe("positive");
    expect(label("kkkkkkk")).toBe("positive");
    expect(label("buenisimo")).toBe("positive");
    expect(label("richtig geil")).toBe("positive");
    expect(label("привет ❤️")).toBe("positive");
  });

  it("handles empty, emoji-only and very long input", () => {
    expect(analyzeSentiment("")).toEqual({ label: "neutral", score: 0, tags: [] });
    expect(analyzeSentiment("   \n\t ")).toEqual({ label: "neutral", score: 0, tags: [] });
    expect(label("😍")).toBe("positive");
    expect(label("😡")).toBe("negative");
    expect(label("👍🏽")).toBe("positive");
    expect(label("🤔")).toBe("neutral");
    expect(label("▓▓▓▓▓▓▓▓▓▓")).toBe("neutral");

    const long = "this is the best stream ever ".repeat(20).slice(0, 500);
    expect(long).toHaveLength(500);
    const s = analyzeSentiment(long);
    expect(s.label).toBe("positive");
    expect(s.score).toBeLessThanOrEqual(1);
    expect(label("a".repeat(500))).toBe("neutral");
    expect(label("trash ".repeat(2000))).toBe("negative");
  });

  it("returns a valid Sentiment with a score in [-1, 1], deterministically", () => {
    const texts = [
      "AMAZING AMAZING AMAZING!!!!!! 😍😍😍 PogChamp PogChamp",
      "TRASH TRASH TRASH!!!!!! 😡😡😡 you suck idiot",
      "",
      "ok",
    ];
    for (const t of texts) {
      const s = analyzeSentiment(t);
      expect(Value.Check(Sentiment, s), t).toBe(true);
      expect(Math.abs(s.score)).toBeLessThanOrEqual(1);
      expect(analyzeSentiment(t)).toEqual(s);
    }
    expect(score("AMAZING AMAZING AMAZING!!!!!! 😍😍😍 PogChamp PogChamp")).toBeGreaterThan(0.9);
  });

  it("never throws and always answers within the protocol, whatever the text", () => {
    const chatty = fc.array(
      fc.oneof(
        fc.constantFrom(
          "KEKW",
          "not",
          "so",
          "good",
          "bad",
          "Kappa",
          "!",
          "?",
          "LETS",
          "GOOO",
          "😂",
          "🔥",
          "@x",
          "/s",
          "but",
        ),
        fc.string({ unit: "grapheme", maxLength: 12 }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        chatty,
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: -5, max: 5 })),
        (parts, customEmotes) => {
          const text = parts.join(" ");
          const s = analyzeSentiment(text, { customEmotes });
          expect(Value.Check(Sentiment, s)).toBe(true);
          expect(new Set(s.tags).size).toBe(s.tags.length);
          expect(analyzeSentiment(text, { customEmotes })).toEqual(s);
        },
      ),
      { numRuns: 300 },
    );
  });
});
