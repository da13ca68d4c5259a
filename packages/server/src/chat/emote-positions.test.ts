import { describe, expect, it } from "vitest";
import { emotePositions } from "./emote-positions.js";

describe("emote positions", () => {
  it("finds every whole-word occurrence in code points, with the image", () => {
    const emotes = new Map([
      ["Kappa", "https://cdn.example/kappa.png"],
      ["LUL", undefined],
    ]);
    expect(emotePositions("🎉 Kappa hi Kappa LULW LUL", emotes)).toEqual([
      { name: "Kappa", start: 2, end: 6, url: "https://cdn.example/kappa.png" },
      { name: "Kappa", start: 11, end: 15, url: "https://cdn.example/kappa.png" },
      { name: "LUL", start: 22, end: 24 },
    ]);
    expect(emotePositions("nothing here", emotes)).toEqual([]);
    expect(emotePositions("Kappa", new Map())).toEqual([]);
  });
});
