import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codePointLength, extractMentions, isEmoteOnly, LIMITS, normalizeMessageText } from "../src/index.js";

const ok = (input: string): string => {
  const r = normalizeMessageText(input);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r.text;
};

describe("normalizeMessageText", () => {
  it("composes to NFC, also where stripping joined a letter and its mark", () => {
    expect(ok("e\u0301")).toBe("\u00e9");
    expect(ok("e\u202E\u0301")).toBe("\u00e9");
  });

  it("strips bidi overrides/isolates and zero-width characters", () => {
    expect(ok("a\u202Eb\u2066c\u2069d")).toBe("abcd");
    expect(ok("x\u200By\u200Cz\u2060w\uFEFF")).toBe("xyzw");
  });

  it("keeps the ZWJ inside emoji sequences but not between letters", () => {
    const technologist = "👩\u200D💻";
    expect(ok(technologist)).toBe(technologist);
    expect(ok("👍🏽\u200D🔥")).toBe("👍🏽\u200D🔥");
    expect(ok("a\u200Db")).toBe("ab");
  });

  it("caps combining marks per character (zalgo)", () => {
    const zalgo = `Z${"\u0336\u0337\u0338\u0339\u033A".repeat(10)}`;
    expect(codePointLength(ok(zalgo))).toBe(1 + LIMITS.maxCombiningMarks);
  });

  it("rejects control characters, empty text and over-long text; accepts exactly 500", () => {
    for (const bad of ["a\u0000b", "line\nbreak", "tab\t", "\u0085", "", "   ", "\u200B", 42, null]) {
      expect(normalizeMessageText(bad).ok).toBe(false);
    }
    expect(ok("x".repeat(500))).toHaveLength(500);
    expect(normalizeMessageText("x".repeat(501)).ok).toBe(false);
    // Characters, not UTF-16 units: 500 emoji are allowed.
    expect(codePointLength(ok("😀".repeat(500)))).toBe(500);
  });

  it("rejects NUL and lone surrogates, even where stripping would have paired the halves", () => {
    for (const bad of [
      "\u0000",
      "a\u0000",
      "\uD800",
      "a\uDC00b",
      "😀\uD83D",
      "\uD83D\u200B\uDE00",
      "\uD83D\u202E\uDE00",
    ]) {
      expect(normalizeMessageText(bad), JSON.stringify(bad)).toEqual({ ok: false, reason: expect.any(String) });
    }
    expect(ok("\uD83D\uDE00")).toBe("😀");
  });

  it("property: a string with a lone surrogate is always rejected", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 100 }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.string({ unit: "grapheme", maxLength: 100 }),
        (before, surrogate, after) => {
          // Both sides are well-formed, so a low half cannot pair with what is before it, and
          // the "x" keeps a high half from pairing with what comes after.
          const input = `${before}${String.fromCharCode(surrogate)}${surrogate < 0xdc00 ? "x" : ""}${after}`;
          expect(normalizeMessageText(input).ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("property: never throws; output is NFC, well-formed, free of controls and bidi, 1–500 code points", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 600 }), fc.string({ unit: "binary", maxLength: 600 })),
        (input) => {
          const r = normalizeMessageText(input);
          if (!r.ok) return;
          expect(r.text.normalize("NFC")).toBe(r.text);
          expect(r.text.isWellFormed()).toBe(true);
          expect(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200B\u2060\uFEFF]/.test(r.text)).toBe(false);
          const n = codePointLength(r.text);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(LIMITS.messageMaxChars);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("property: normalising twice changes nothing (idempotent)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (input) => {
        const once = normalizeMessageText(input);
        if (!once.ok) return;
        expect(normalizeMessageText(once.text)).toEqual(once);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("extractMentions", () => {
  it("finds @names, lower-cased and unique, not e-mail addresses", () => {
    expect(extractMentions("hi @Alice and @bob_1, @alice again; me@example.com")).toEqual(["alice", "bob_1"]);
  });
});

describe("emote-only text", () => {
  it("accepts known emotes and emoji, refuses words and digits", () => {
    expect(isEmoteOnly("KEKW KEKW 🎉")).toBe(true);
    expect(isEmoteOnly("👍🏽 PogChamp")).toBe(true);
    expect(isEmoteOnly("👨‍👩‍👧")).toBe(true);
    expect(isEmoteOnly("KEKW that was funny")).toBe(false);
    expect(isEmoteOnly("kekw")).toBe(false);
    expect(isEmoteOnly("123")).toBe(false);
    expect(isEmoteOnly("#")).toBe(false);
    expect(isEmoteOnly("")).toBe(false);
    expect(isEmoteOnly("catJAM", new Set(["catJAM"]))).toBe(true);
  });
});
