import type { ChannelSettings, Role } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { testDraft, testUser } from "../../chat/checks/test-draft.js";
import { WritePipeline } from "../../chat/pipeline.js";
import { autoModCheck } from "./automod.js";
import { blockedTermsCheck } from "./blocked-terms.js";

const draft = (text: string, settings: Partial<ChannelSettings>, role: Role = "viewer", isAdmin = false) => {
  const user = testUser({ isAdmin });
  return testDraft({ text, settings, user, roles: [[user.id, role]] });
};

describe("automod check", () => {
  it("passes everything when every level is 0", () => {
    expect(autoModCheck.run(draft("kys", { autoModLevel: 0 }))).toEqual({ kind: "pass" });
    expect(autoModCheck.run(draft("kys", { autoModLevel: 0, autoModCategories: { swearing: 4 } }))).toEqual({
      kind: "pass",
    });
  });

  it("turns on for a single category overriding level 0", () => {
    expect(autoModCheck.run(draft("damn it", { autoModLevel: 0, autoModCategories: { swearing: 4 } }))).toEqual({
      kind: "hold",
      reasons: ["automod:swearing"],
    });
  });

  it("holds with one reason per category hit", () => {
    expect(autoModCheck.run(draft("kys, nobody likes you, kill yourself", { autoModLevel: 3 }))).toEqual({
      kind: "hold",
      reasons: ["automod:aggression", "automod:bullying"],
    });
  });

  it("refuses a severe term at level 4 with blocked_term", () => {
    const verdict = autoModCheck.run(draft("k y s", { autoModLevel: 4 }));
    expect(verdict).toMatchObject({ kind: "reject", error: { code: "blocked_term" } });
  });

  it("passes clean messages", () => {
    expect(autoModCheck.run(draft("kill the boss, that play was sick", { autoModLevel: 4 }))).toEqual({ kind: "pass" });
  });

  it("does not filter moderators, the owner or admins; does filter VIPs and subscribers", () => {
    const settings = { autoModLevel: 4 };
    expect(autoModCheck.run(draft("kys", settings, "moderator"))).toEqual({ kind: "pass" });
    expect(autoModCheck.run(draft("kys", settings, "owner"))).toEqual({ kind: "pass" });
    expect(autoModCheck.run(draft("kys", settings, "viewer", true))).toEqual({ kind: "pass" });
    expect(autoModCheck.run(draft("kys", settings, "vip"))).toMatchObject({ kind: "reject" });
    expect(autoModCheck.run(draft("kys", settings, "subscriber"))).toMatchObject({ kind: "reject" });
  });

  it("follows a settings change (a new settings object)", () => {
    const d = draft("damn", { autoModLevel: 4 });
    expect(autoModCheck.run(d)).toMatchObject({ kind: "hold" });
    d.channel.record.settings = { ...d.channel.record.settings, autoModCategories: { swearing: 0 } };
    expect(autoModCheck.run(d)).toEqual({ kind: "pass" });
  });

  it("in the pipeline after blocked terms: both holds are collected", async () => {
    const pipeline = new WritePipeline([blockedTermsCheck, autoModCheck]);
    const outcome = await pipeline.run(
      draft("heck, you're ugly", { autoModLevel: 3, blockedTerms: [{ term: "heck", action: "hold" }] }),
    );
    expect(outcome).toMatchObject({ kind: "held", reasons: ["blocked_term", "automod:bullying"] });
  });
});
