import { describe, expect, it } from "vitest";
import { confusionMatrix, evaluate, scoreConfusion } from "./metrics.js";

const LABELS = ["pos", "neu", "neg"] as const;
type L = (typeof LABELS)[number];

describe("sentiment eval metrics", () => {
  // Gold / predicted pairs chosen so that, by hand:
  //            pred pos  neu  neg
  //   gold pos      3    1    0     (support 4)
  //   gold neu      1    2    1     (support 4)
  //   gold neg      0    1    1     (support 2)
  // pos: P 3/4, R 3/4, F1 .75   neu: P 2/4, R 2/4, F1 .5   neg: P 1/2, R 1/2, F1 .5
  // accuracy 6/10, macro-F1 (0.75 + 0.5 + 0.5) / 3 = 0.58333…
  const gold: L[] = ["pos", "pos", "pos", "pos", "neu", "neu", "neu", "neu", "neg", "neg"];
  const pred: L[] = ["pos", "pos", "pos", "neu", "pos", "neu", "neu", "neg", "neu", "neg"];

  it("counts a confusion matrix by gold row and predicted column", () => {
    expect(confusionMatrix(LABELS, gold, pred)).toEqual({
      pos: { pos: 3, neu: 1, neg: 0 },
      neu: { pos: 1, neu: 2, neg: 1 },
      neg: { pos: 0, neu: 1, neg: 1 },
    });
  });

  it("derives accuracy, per-class precision/recall/F1 and macro-F1", () => {
    const r = evaluate(LABELS, gold, pred);
    expect(r.total).toBe(10);
    expect(r.accuracy).toBeCloseTo(0.6, 10);
    expect(r.perClass.pos).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    expect(r.perClass.neu.f1).toBeCloseTo(0.5, 10);
    expect(r.perClass.neg.precision).toBeCloseTo(0.5, 10);
    expect(r.perClass.neg.recall).toBeCloseTo(0.5, 10);
    expect(r.macroF1).toBeCloseTo(7 / 12, 10);
  });

  it("scores unequal precision and recall with their harmonic mean", () => {
    // pos: tp 2, predicted as pos 2, support 4 → P 1, R .5, F1 2/3
    const r = scoreConfusion(LABELS, {
      pos: { pos: 2, neu: 2, neg: 0 },
      neu: { pos: 0, neu: 3, neg: 0 },
      neg: { pos: 0, neu: 0, neg: 1 },
    });
    expect(r.perClass.pos.precision).toBe(1);
    expect(r.perClass.pos.recall).toBe(0.5);
    expect(r.perClass.pos.f1).toBeCloseTo(2 / 3, 10);
    expect(r.accuracy).toBeCloseTo(6 / 8, 10);
  });

  it("gives 0, not NaN, to a class that is never predicted", () => {
    const r = evaluate(LABELS, ["pos", "neg"], ["pos", "pos"]);
    expect(r.perClass.neg).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass.neu).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.perClass.pos.precision).toBe(0.5);
  });

  it("refuses predictions that do not line up with the gold labels", () => {
    expect(() => evaluate(LABELS, ["pos"], [])).toThrow(/length/);
  });
});
