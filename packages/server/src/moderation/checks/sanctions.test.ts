import { describe, expect, it } from "vitest";
import { testDraft, testUser } from "../../chat/checks/test-draft.js";
import type { SanctionRecord } from "../../ports/store.js";
import { sanctionsCheck } from "./sanctions.js";

const user = testUser();
const sanction = (kind: "ban" | "timeout", until: number | null): SanctionRecord => ({
  channel: "c1",
  userId: user.id,
  username: user.username,
  kind,
  until,
  reason: null,
  by: "mod",
  at: 0,
});

describe("sanctions check", () => {
  it("passes users with no standing sanction, and others' sanctions do not matter", () => {
    expect(sanctionsCheck.run(testDraft({ user }))).toEqual({ kind: "pass" });
    expect(sanctionsCheck.run(testDraft({ sanctions: [[user.id, sanction("ban", null)]] }))).toEqual({ kind: "pass" });
  });

  it("refuses a banned user with `banned` and until null", () => {
    const verdict = sanctionsCheck.run(testDraft({ user, sanctions: [[user.id, sanction("ban", null)]] }));
    expect(verdict).toMatchObject({ kind: "reject", error: { code: "banned", until: null } });
  });

  it("refuses a timed-out user with `timed_out`, until and the wait; lets them back once it ran out", () => {
    const draft = testDraft({ user, sanctions: [[user.id, sanction("timeout", 10_000)]] });
    const verdict = sanctionsCheck.run(draft); // receivedAt is 0 in test drafts
    expect(verdict).toMatchObject({
      kind: "reject",
      error: { code: "timed_out", until: 10_000, retryAfterMs: 10_000 },
    });
    const later = { ...draft, receivedAt: 10_000 };
    expect(sanctionsCheck.run(later)).toEqual({ kind: "pass" });
  });
});
