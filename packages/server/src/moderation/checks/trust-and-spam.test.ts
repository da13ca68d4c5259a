import type { Role } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { testDraft, testUser } from "../../chat/checks/test-draft.js";
import type { Draft } from "../../chat/draft.js";
import type { Check } from "../../chat/pipeline.js";
import { accountAgeCheck } from "./account-age.js";
import { containsLink, linksCheck } from "./links.js";
import { restrictedCheck } from "./restricted.js";
import { capitalsPercent, repeatsMoreThan, spamCheck } from "./spam.js";

const as = (role: Role, options: Parameters<typeof testDraft>[0] = {}): Draft => {
  const user = options.user ?? testUser();
  return testDraft({ ...options, user, roles: [[user.id, role]] });
};
const outcome = async (check: Check, draft: Draft) => {
  const verdict = await check.run(draft);
  return verdict.kind === "reject" ? verdict.error.code : verdict.kind;
};

describe("links", () => {
  it("finds URLs and bare domains, not dotted words or version numbers", () => {
    for (const text of ["see https://x.io/a", "go to example.com now", "www.evil.tk", "HTTP://EXAMPLE.COM"])
      expect(containsLink(text), text).toBe(true);
    for (const text of ["hello world", "v1.2.3 is out", "e.g. this", "lol.exe", "gg wp.", "KEKW", "a@b.com"])
      expect(containsLink(text), text).toBe(false);
  });

  it("refuses links below linksMinRole (VIP by default) with spam; admins and the role itself pass", async () => {
    const link = { text: "free stuff at example.com" };
    expect(await outcome(linksCheck, as("viewer", link))).toBe("spam");
    expect(await outcome(linksCheck, as("subscriber", link))).toBe("spam");
    expect(await outcome(linksCheck, as("vip", link))).toBe("pass");
    expect(await outcome(linksCheck, as("viewer", { ...link, user: testUser({ isAdmin: true }) }))).toBe("pass");
    expect(await outcome(linksCheck, as("viewer", { ...link, settings: { linksMinRole: "viewer" } }))).toBe("pass");
    expect(await outcome(linksCheck, as("vip", { ...link, settings: { linksMinRole: "moderator" } }))).toBe("spam");
    expect(await outcome(linksCheck, as("viewer", { text: "no link here" }))).toBe("pass");
  });
});

describe("spam heuristics", () => {
  it("measures capitals outside emotes and mentions, and only over enough letters", () => {
    expect(capitalsPercent("THIS IS ALL SHOUTING")).toBe(100);
    expect(capitalsPercent("KEKW KEKW OMEGALUL that was funny")).toBe(0);
    expect(capitalsPercent("@STREAMER_NAME hi")).toBeNull();
    expect(capitalsPercent("GG WP")).toBeNull();
  });

  it("finds runs of one to three characters, case-insensitively", () => {
    expect(repeatsMoreThan("nooooooooo", 6)).toBe(true);
    expect(repeatsMoreThan("noooo", 6)).toBe(false);
    expect(repeatsMoreThan("LOLOLOLOLOLOLOL lol", 5)).toBe(true);
    expect(repeatsMoreThan("ha ha ha ha ha ha ha ha", 5)).toBe(true);
    expect(repeatsMoreThan("KEKW KEKW KEKW KEKW", 3)).toBe(false); // emote walls are chat, not spam
  });

  it("refuses by the channel's thresholds with spam, is off by default and exempts VIPs", async () => {
    const shout = { text: "WHY IS NOBODY LISTENING TO ME" };
    expect(await outcome(spamCheck, as("viewer", shout))).toBe("pass");
    expect(await outcome(spamCheck, as("viewer", { ...shout, settings: { capsLimitPercent: 70 } }))).toBe("spam");
    expect(await outcome(spamCheck, as("vip", { ...shout, settings: { capsLimitPercent: 70 } }))).toBe("pass");
    const calm = { text: "Why is nobody listening to me", settings: { capsLimitPercent: 70 } };
    expect(await outcome(spamCheck, as("viewer", calm))).toBe("pass");
    const stretch = { text: "yesssssssssssss", settings: { repeatLimit: 8 } };
    expect(await outcome(spamCheck, as("viewer", stretch))).toBe("spam");
    expect(await outcome(spamCheck, as("viewer", { ...stretch, settings: { repeatLimit: 20 } }))).toBe("pass");
  });
});

describe("account age and guest cool-down", () => {
  const minute = 60_000;
  it("refuses accounts younger than minAccountAgeMin with the wait; subscribers are exempt", async () => {
    const young = testUser({ createdAt: 10 * minute });
    const settings = { minAccountAgeMin: 30 };
    const draft = as("viewer", { user: young, settings, receivedAt: 20 * minute });
    const verdict = await accountAgeCheck.run(draft);
    expect(verdict).toMatchObject({ kind: "reject", error: { code: "mode_restricted", retryAfterMs: 20 * minute } });
    expect(await outcome(accountAgeCheck, as("viewer", { user: young, settings, receivedAt: 41 * minute }))).toBe(
      "pass",
    );
    expect(await outcome(accountAgeCheck, as("subscriber", { user: young, settings, receivedAt: 20 * minute }))).toBe(
      "pass",
    );
    expect(await outcome(accountAgeCheck, as("viewer", { user: young, receivedAt: 20 * minute }))).toBe("pass");
  });

  it("makes a brand-new guest wait guestCooldownSec, but not an account", async () => {
    const settings = { guestCooldownSec: 30 };
    const guest = testUser({ isGuest: true, createdAt: 1_000 });
    const early = await accountAgeCheck.run(as("viewer", { user: guest, settings, receivedAt: 11_000 }));
    expect(early).toMatchObject({ kind: "reject", error: { code: "mode_restricted", retryAfterMs: 20_000 } });
    expect(await outcome(accountAgeCheck, as("viewer", { user: guest, settings, receivedAt: 31_000 }))).toBe("pass");
    const account = testUser({ createdAt: 1_000 });
    expect(await outcome(accountAgeCheck, as("viewer", { user: account, settings, receivedAt: 2_000 }))).toBe("pass");
  });
});

describe("suspicious users", () => {
  it("holds a restricted user's messages with reason restricted; a monitored user's pass", async () => {
    const user = testUser();
    const mark = (status: "restricted" | "monitored") => ({
      channel: "c1",
      userId: user.id,
      username: user.username,
      status,
      reason: null,
      by: "mod",
      at: 0,
    });
    expect(await restrictedCheck.run(as("viewer", { user, statuses: [[user.id, mark("restricted")]] }))).toEqual({
      kind: "hold",
      reasons: ["restricted"],
    });
    expect(await outcome(restrictedCheck, as("viewer", { user, statuses: [[user.id, mark("monitored")]] }))).toBe(
      "pass",
    );
    expect(await outcome(restrictedCheck, as("viewer", { user }))).toBe("pass");
  });
});
