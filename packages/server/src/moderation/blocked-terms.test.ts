import type { BlockedTerm } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { matcherFor, TermMatcher, termPattern } from "./blocked-terms.js";

const reject = (term: string): BlockedTerm => ({ term, action: "reject" });
const matcher = new TermMatcher(["ass", "cunt", "shit", "rapist", "fuck", "badword", "noob*"].map(reject));
const terms = (text: string) => matcher.match(text)?.terms ?? [];

describe("blocked terms", () => {
  it.each([
    ["you are an ass", "ass"],
    ["SHIT", "shit"],
    ["sh1t", "shit"],
    ["$h!t", "shit"],
    ["a$$", "ass"],
    ["f u c k", "fuck"],
    ["f.u.c.k", "fuck"],
    ["f-u-c-k this", "fuck"],
    ["fück", "fuck"],
    ["ＦＵＣＫ", "fuck"],
    ["fuuuuuck", "fuck"],
    ["f\u200Buck", "fuck"],
    ["f\u00ADuck", "fuck"],
    ["b\u0430dw\u043Erd", "badword"], // Cyrillic а and о
    ["Śhit", "shit"],
    ["what a noob", "noob*"],
    ["noobs everywhere", "noob*"],
    ["n00b", "noob*"],
  ])("catches %j", (text, term) => {
    expect(terms(text)).toContain(term);
  });

  it.each([
    "assistant",
    "Scunthorpe",
    "shitake mushrooms",
    "classic",
    "therapist",
    "as you wish",
    "pass sword",
    "grass is green",
    "cocktail",
    "I was sorry",
    "hello world",
    "room 455",
    "bench 455 1796302941787.804",
    "call 5417 at 7:45",
  ])("lets %j through", (text) => {
    expect(terms(text)).toEqual([]);
  });

  it("reads digits as letters only inside words; a term spelt with digits matches digits", () => {
    expect(terms("the score was 455 to 455")).toEqual([]);
    expect(terms("a55")).toEqual(["ass"]);
    expect(new TermMatcher([reject("1488")]).match("hail 1488")?.terms).toEqual(["1488"]);
  });

  it("takes the strongest action and masks every matched span", () => {
    const m = new TermMatcher([
      { term: "darn", action: "mask" },
      { term: "heck", action: "hold" },
    ]);
    expect(m.match("darn it")).toEqual({ action: "mask", terms: ["darn"], masked: "*** it" });
    expect(m.match("darn, what the h.e.c.k")).toMatchObject({ action: "hold", masked: "***, what the ***" });
    expect(m.match("fine")).toBeNull();
  });

  it("compiles a terms list once", () => {
    const list = [reject("x1")];
    expect(matcherFor(list)).toBe(matcherFor(list));
    expect(matcherFor([reject("x1")])).not.toBe(matcherFor(list));
  });

  it("builds word-bounded patterns with optional doubled letters", () => {
    expect(termPattern("ass")).toBe("|a[a]ss|");
    expect(termPattern("noob*")).toBe("|n[n]oob[b]");
    expect(termPattern("*ing")).toBe("i[i]n[n]g[g]|");
  });
});
