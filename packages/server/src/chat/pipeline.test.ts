import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { testDraft } from "./checks/test-draft.js";
import { type Check, PASS, reject, WritePipeline } from "./pipeline.js";

function recording(name: string, verdict: ReturnType<Check["run"]>, seen: string[]): Check {
  return {
    name,
    run(draft) {
      seen.push(`${name}:${draft.text}`);
      return verdict;
    },
  };
}

describe("write pipeline", () => {
  it("runs every check in order; rewrites are seen by the later checks", async () => {
    const seen: string[] = [];
    const pipeline = new WritePipeline([
      recording("a", { kind: "rewrite", text: "changed" }, seen),
      recording("b", Promise.resolve(PASS), seen),
      recording("c", PASS, seen),
    ]);
    const outcome = await pipeline.run(testDraft({ text: "original" }));
    expect(seen).toEqual(["a:original", "b:changed", "c:changed"]);
    expect(outcome).toMatchObject({ kind: "accepted", draft: { text: "changed" } });
  });

  it("stops at the first rejection and names the check that decided", async () => {
    const seen: string[] = [];
    const error = new AppError("forbidden", "no");
    const pipeline = new WritePipeline([
      recording("a", PASS, seen),
      recording("b", reject(error), seen),
      recording("c", PASS, seen),
    ]);
    expect(await pipeline.run(testDraft())).toEqual({ kind: "rejected", by: "b", error });
    expect(seen).toEqual(["a:hello", "b:hello"]);
  });

  it("holds when a check says so, after running the rest (a later rejection still wins)", async () => {
    const seen: string[] = [];
    const held = new WritePipeline([
      recording("terms", { kind: "hold", reasons: ["blocked_term"] }, seen),
      recording("automod", { kind: "hold", reasons: ["aggression"] }, seen),
      recording("slow", PASS, seen),
    ]);
    expect(await held.run(testDraft())).toMatchObject({ kind: "held", reasons: ["blocked_term", "aggression"] });
    expect(seen).toEqual(["terms:hello", "automod:hello", "slow:hello"]);
    const error = new AppError("slow_mode", "wait");
    const refused = new WritePipeline([
      recording("terms", { kind: "hold", reasons: ["x"] }, []),
      recording("slow", reject(error), []),
    ]);
    expect(await refused.run(testDraft())).toEqual({ kind: "rejected", by: "slow", error });
  });

  it("answers a duplicate with the original message and runs nothing after it", async () => {
    const seen: string[] = [];
    const original = { id: "m1" } as never;
    const pipeline = new WritePipeline([
      recording("retry", { kind: "duplicate", message: original }, seen),
      recording("limit", PASS, seen),
    ]);
    expect(await pipeline.run(testDraft())).toEqual({ kind: "duplicate", message: original });
    expect(seen).toEqual(["retry:hello"]);
  });
});
