import type { Message } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import {
  contentTerms,
  emojis,
  emoteNames,
  hasLink,
  isCommand,
  isEmoteOnly,
  isEmoteToken,
  isStopWord,
  lineKey,
  terms,
  tokens,
  topEmotes,
  topTerms,
} from "./text-features.js";

const line = (text: string, author = "a", emotes?: Message["emotes"]) => ({
  text,
  author: { id: author },
  ...(emotes === undefined ? {} : { emotes }),
});

describe("terms", () => {
  it("keeps lower-cased content words and drops stop words, filler, laughter, numbers, mentions and links", () => {
    expect(terms(line("That BOSS was sooooo insane lol hahaha xD 123 @bob https://example.com/x chat"))).toEqual([
      "boss",
      "insane",
    ]);
  });

  it("treats contractions, curly apostrophes and possessives as words", () => {
    expect(terms(line("I don’t think it's the streamer's fault, the boss's hitbox is weird"))).toEqual([
      "fault",
      "boss",
      "hitbox",
      "weird",
    ]);
  });

  it("leaves out emotes, whether global, the channel's own or marked by the platform", () => {
    const custom = new Set(["speedyHype"]);
    const marked = [{ name: "BlobDance", start: 14, end: 22 }];
    expect(terms(line("KEKW speedyHype BlobDance sword Pog", "a", marked), custom)).toEqual(["sword"]);
    // Without being told, a channel emote is a word like any other.
    expect(terms(line("speedyHype sword"))).toEqual(["speedyhype", "sword"]);
  });

  it("has none for a command line", () => {
    expect(terms(line("!so coolstreamer amazing sword"))).toEqual([]);
  });

  it("splits languages written without spaces and drops their particles", () => {
    const japanese = terms(line("これはすごいボス戦です"));
    expect(japanese).toContain("ボス");
    expect(japanese).not.toContain("これは");
    expect(terms(line("el jefe final es increíble"))).toEqual(["jefe", "final", "increíble"]);
  });

  it("keeps English words that other languages list as stop words", () => {
    expect(terms(line("the ad break and the EU server"))).toEqual(["ad", "break", "eu", "server"]);
  });
});

describe("emotes and emoji", () => {
  it("knows the global emotes case-sensitively", () => {
    expect(isEmoteToken("KEKW")).toBe(true);
    expect(isEmoteToken("kekw")).toBe(false);
    expect(isEmoteToken("speedyHype", new Set(["speedyHype"]))).toBe(true);
  });

  it("lists emotes and emoji in order, skin tones folded", () => {
    expect(emoteNames(line("KEKW nice 👍🏽 Pog 👍 KEKW"))).toEqual(["KEKW", "👍", "Pog", "👍", "KEKW"]);
  });

  it("finds emoji sequences whole and ignores text symbols", () => {
    expect(emojis("family 👨‍👩‍👧 flag 🇫🇷 heart ❤️ (c) © ™")).toEqual(["👨‍👩‍👧", "🇫🇷", "❤"]);
    expect(emojis("plain ascii :)")).toEqual([]);
  });

  it("tells an emote-only line from one with words", () => {
    expect(isEmoteOnly(line("KEKW KEKW 😂 !!"))).toBe(true);
    expect(isEmoteOnly(line("KEKW that was funny"))).toBe(false);
    expect(isEmoteOnly(line("lol"))).toBe(false);
    expect(isEmoteOnly(line("   "))).toBe(false);
  });
});

describe("line kinds", () => {
  it("spots commands, links and stop words", () => {
    expect(isCommand("!uptime")).toBe(true);
    expect(isCommand("  !discord please")).toBe(true);
    expect(isCommand("wow!")).toBe(false);
    expect(isCommand("!!!")).toBe(false);
    expect(hasLink("check example.com now")).toBe(true);
    expect(hasLink("pi is 3.14")).toBe(false);
    expect(isStopWord("lmaooo")).toBe(true);
    expect(isStopWord("jajaja")).toBe(true);
    expect(isStopWord("sword")).toBe(false);
  });

  it("gives every piece a kind", () => {
    expect(tokens(line("!so @bob KEKW great run 🔥 example.com")).map((t) => t.kind)).toEqual([
      "command",
      "mention",
      "emote",
      "word",
      "word",
      "emoji",
      "link",
    ]);
  });

  it("reads a message again when its text or the emote set differs from the last time", () => {
    const message = line("sword KEKW");
    expect(terms(message)).toEqual(["sword"]);
    message.text = "shield KEKW";
    expect(terms(message)).toEqual(["shield"]);
    expect(terms(message, new Set(["shield"]))).toEqual([]);
    expect(terms(message)).toEqual(["shield"]);
  });

  it("splits ASCII and non-ASCII text alike", () => {
    expect(terms(line("boss_fight... sword's edge, 3.14 dmg!"))).toEqual(["boss_fight", "sword", "edge", "dmg"]);
    expect(terms(line("boss_fight… sword's edge, 3.14 dmg!"))).toEqual(["boss_fight", "sword", "edge", "dmg"]);
  });

  it("keys lines by what they say, not by case, spacing or trailing marks", () => {
    expect(lineKey("What  sword is THAT???")).toBe(lineKey("what sword is that?"));
    expect(lineKey("what sword")).not.toBe(lineKey("what shield"));
  });

  it("pairs adjacent content words only", () => {
    const { terms: found, pairs } = contentTerms(line("that boss fight, the boss of doom"));
    expect([...found]).toEqual(["boss", "fight", "doom"]);
    expect([...pairs]).toEqual(["boss fight"]);
  });
});

describe("topTerms", () => {
  it("ranks by distinct authors, so one spammer cannot set the topic", () => {
    const messages = [
      line("buy merch buy merch", "spammer"),
      line("buy merch now", "spammer"),
      line("merch merch merch", "spammer"),
      line("the sword is cool", "a"),
      line("which sword is that", "b"),
    ];
    const top = topTerms(messages);
    expect(top[0]).toEqual({ term: "sword", count: 2, authors: 2 });
    expect(top.find((t) => t.term === "merch")).toEqual({ term: "merch", count: 3, authors: 1 });
  });

  it("folds plurals into their singular and a phrase said together into one term", () => {
    const messages = [
      line("boss fight time", "a"),
      line("this boss fight is hard", "b"),
      line("best boss fight", "c"),
      line("two swords", "d"),
      line("nice sword", "e"),
    ];
    const top = topTerms(messages, { bigrams: true });
    expect(top.slice(0, 2).map((t) => t.term)).toEqual(["boss fight", "sword"]);
    expect(top.find((t) => t.term === "boss" || t.term === "fight")).toBeUndefined();
    expect(
      topTerms(messages)
        .slice(0, 2)
        .map((t) => t.term),
    ).toEqual(["boss", "fight"]);
  });

  it("leaves excluded terms out and honours the limit", () => {
    const messages = [line("speedy plays well", "a"), line("speedy again", "b"), line("plays", "c")];
    expect(topTerms(messages, { exclude: new Set(["speedy"]), limit: 1 })).toEqual([
      { term: "plays", count: 2, authors: 2 },
    ]);
  });
});

describe("topEmotes", () => {
  it("counts messages, not repeats inside one", () => {
    const messages = [line("KEKW KEKW KEKW", "a"), line("KEKW", "b"), line("Pog Pog", "a"), line("speedyHype", "c")];
    expect(topEmotes(messages, { customEmotes: ["speedyHype"] })).toEqual([
      { name: "KEKW", count: 2, authors: 2 },
      { name: "Pog", count: 1, authors: 1 },
      { name: "speedyHype", count: 1, authors: 1 },
    ]);
  });
});
