import type { Role } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { MemoryLimiter } from "../../adapters/embedded/memory-limiter.js";
import { testDraft, testUser } from "../../chat/checks/test-draft.js";
import type { Draft } from "../../chat/draft.js";
import type { Check } from "../../chat/pipeline.js";
import { emoteOnlyCheck } from "./emote-only.js";
import { slowModeCheck } from "./slow-mode.js";
import { subscribersOnlyCheck } from "./subscribers-only.js";
import { uniqueChatCheck, uniqueKey } from "./unique-chat.js";

const as = (role: Role, settings: Parameters<typeof testDraft>[0] = {}): Draft => {
  const user = settings.user ?? testUser();
  return testDraft({ ...settings, user, roles: [[user.id, role]] });
};
const code = async (check: Check, draft: Draft) => {
  const verdict = await check.run(draft);
  return verdict.kind === "reject" ? verdict.error.code : verdict.kind;
};

describe("subscribers-only", () => {
  it("lets subscribers and above through, refuses viewers with mode_restricted, ignores the mode when off", async () => {
    const on = { settings: { subscribersOnly: true } };
    expect(await code(subscribersOnlyCheck, as("viewer", on))).toBe("mode_restricted");
    for (const role of ["subscriber", "vip", "moderator", "owner"] as const)
      expect(await code(subscribersOnlyCheck, as(role, on))).toBe("pass");
    expect(await code(subscribersOnlyCheck, as("viewer", { ...on, user: testUser({ isAdmin: true }) }))).toBe("pass");
    expect(await code(subscribersOnlyCheck, as("viewer"))).toBe("pass");
  });
});

describe("emote-only", () => {
  it("passes emotes and emoji, refuses words from everyone below moderator", async () => {
    const on = { settings: { emoteOnly: true } };
    expect(await code(emoteOnlyCheck, as("vip", { ...on, text: "KEKW 🎉" }))).toBe("pass");
    expect(await code(emoteOnlyCheck, as("vip", { ...on, text: "KEKW lol" }))).toBe("mode_restricted");
    expect(await code(emoteOnlyCheck, as("moderator", { ...on, text: "words" }))).toBe("pass");
    expect(await code(emoteOnlyCheck, as("viewer", { text: "words" }))).toBe("pass");
  });
});

describe("slow mode", () => {
  it("allows one message per interval per user with the wait as retryAfterMs; VIPs and above are exempt", async () => {
    const check = slowModeCheck(new MemoryLimiter({}));
    const user = testUser();
    const on = { user, settings: { slowModeSec: 5 } };
    expect(await code(check, as("viewer", on))).toBe("pass");
    const second = await check.run(as("viewer", on));
    expect(second).toMatchObject({ kind: "reject", error: { code: "slow_mode" } });
    if (second.kind === "reject") expect(second.error.retryAfterMs).toBeGreaterThan(4_000);
    expect(await code(check, as("viewer", { settings: { slowModeSec: 5 } }))).toBe("pass"); // another user
    const vip = testUser();
    for (let i = 0; i < 3; i++)
      expect(await code(check, as("vip", { user: vip, settings: { slowModeSec: 5 } }))).toBe("pass");
    // A changed setting is a new budget at once.
    expect(await code(check, as("viewer", { user, settings: { slowModeSec: 6 } }))).toBe("pass");
  });
});

describe("unique chat", () => {
  it("refuses a repeat of one's own recent message, seen through case, spacing and stretched letters", async () => {
    const check = uniqueChatCheck(new MemoryLimiter({}));
    const user = testUser();
    const on = (text: string) => as("viewer", { user, text, settings: { uniqueChat: true } }) as Draft;
    const draft = (text: string) => {
      const d = on(text);
      d.text = text;
      return d;
    };
    expect(await code(check, draft("GG well played"))).toBe("pass");
    expect(await code(check, draft("gg   WELL plaaaaayed"))).toBe("mode_restricted");
    expect(await code(check, draft("something else"))).toBe("pass");
    expect(await code(check, as("viewer", { text: "GG well played", settings: { uniqueChat: true } }))).toBe("pass");
    expect(uniqueKey("Hiii")).toBe(uniqueKey("hii"));
    expect(uniqueKey("hi there")).not.toBe(uniqueKey("hi where"));
  });
});
