import { describe, expect, it } from "vitest";
import { normalizeBadges } from "./badges.js";

describe("platform badges", () => {
  it("maps Twitch badges, keeping subscriber months, and derives the role from the strongest", () => {
    expect(normalizeBadges(["broadcaster/1", "subscriber/14", "premium/1"])).toEqual({
      badges: ["broadcaster", "subscriber/14", "prime"],
      role: "owner",
    });
    expect(normalizeBadges(["vip/1", "founder/0"])).toEqual({ badges: ["vip", "founder"], role: "vip" });
    expect(normalizeBadges(["moderator/1", "partner/1"]).role).toBe("moderator");
  });

  it("maps YouTube's author flags (owner, moderator, member with months, verified)", () => {
    expect(normalizeBadges(["owner"])).toEqual({ badges: ["broadcaster"], role: "owner" });
    expect(normalizeBadges(["member/6", "verified"])).toEqual({
      badges: ["member/6", "verified"],
      role: "subscriber",
    });
  });

  it("maps Kick's badges and drops unknown or repeated ones", () => {
    expect(normalizeBadges(["OG", "subscriber/3", "sidekick", "og", "<script>"])).toEqual({
      badges: ["og", "subscriber/3"],
      role: "subscriber",
    });
    expect(normalizeBadges(undefined)).toEqual({ badges: [], role: "viewer" });
    expect(normalizeBadges(["subscriber/abc"])).toEqual({ badges: ["subscriber"], role: "subscriber" });
  });
});
