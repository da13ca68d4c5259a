/**
 * npm run eval:sentiment [-- --split dev|test|all] [--json] [--errors]
 *
 * Scores Chorus's analyser and the plain AFINN baseline on the hand-labelled chat splits: accuracy,
 * per-class precision / recall / F1 and macro-F1. `--errors` lists the analyser's misses, on the
 * dev split only: the test split is for reporting, never for tuning.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { SENTIMENT_LABELS, type SentimentLabel } from "@chorus/protocol";
import { analyzeSentiment } from "../src/analysis/analyzer.js";
import { afinnLabel } from "./afinn-baseline.js";
import { type Example, loadSplit, SPLITS, type Split } from "./dataset.js";
import { evaluate, type Report } from "./metrics.js";

export interface SplitResult {
  split: Split;
  chorus: Report<SentimentLabel>;
  afinn: Report<SentimentLabel>;
}

export function evaluateSplit(split: Split, examples: readonly Example[]): SplitResult {
  const gold = examples.map((e) => e.label);
  return {
    split,
    chorus: evaluate(
      SENTIMENT_LABELS,
      gold,
      examples.map((e) => analyzeSentiment(e.text).label),
    ),
    afinn: evaluate(
      SENTIMENT_LABELS,
      gold,
      examples.map((e) => afinnLabel(e.text)),
    ),
  };
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(5);

function table(result: SplitResult): string {
  const head = ["analyser", "acc", ...SENTIMENT_LABELS.flatMap((l) => [`${l.slice(0, 3)} P`, "R", "F1"]), "macro-F1"];
  const rows = [head];
  for (const [name, r] of [
    ["chorus", result.chorus],
    ["afinn", result.afinn],
  ] as const) {
    rows.push([
      name,
      pct(r.accuracy),
      ...SENTIMENT_LABELS.flatMap((l) => [
        pct(r.perClass[l].precision),
        pct(r.perClass[l].recall),
        pct(r.perClass[l].f1),
      ]),
      pct(r.macroF1),
    ]);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  const lines = rows.map((row) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  "));
  const support = SENTIMENT_LABELS.map((l) => `${l} ${result.chorus.perClass[l].support}`).join(", ");
  const confusion = SENTIMENT_LABELS.map(
    (g) => `  ${g.padEnd(8)} → ${SENTIMENT_LABELS.map((p) => `${p} ${result.chorus.confusion[g][p]}`).join(", ")}`,
  ).join("\n");
  return [
    `${result.split} split: ${result.chorus.total} messages (${support}); figures in %`,
    ...lines,
    "chorus confusion (gold → predicted):",
    confusion,
  ].join("\n");
}

function main(): void {
  const { values } = parseArgs({
    options: {
      split: { type: "string", default: "all" },
      json: { type: "boolean", default: false },
      errors: { type: "boolean", default: false },
    },
  });
  const wanted = values.split === "all" ? [...SPLITS] : SPLITS.filter((s) => s === values.split);
  if (wanted.length === 0) throw new Error(`--split must be dev, test or all (got ${values.split})`);
  if (values.errors && wanted.includes("test")) throw new Error("--errors lists dev-split misses only (--split dev)");

  const results = wanted.map((split) => evaluateSplit(split, loadSplit(split)));
  if (values.json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    console.log(results.map(table).join("\n\n"));
  }
  if (values.errors) {
    for (const e of loadSplit("dev")) {
      const s = analyzeSentiment(e.text);
      if (s.label !== e.label)
        console.log(`${e.label.padEnd(8)} got ${s.label.padEnd(8)} ${s.score.toFixed(2)}  ${e.text}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
