/**
 * Splits all.jsonl into dev.jsonl (70 %) and test.jsonl (30 %), once, before any tuning: a seeded
 * shuffle within each label, so both splits keep the set's label mix. Re-running it reproduces the
 * committed files exactly; changing the seed or the set would leak tuning into the test split.
 *
 *   npx tsx packages/server/eval/split.ts
 */
import { writeFileSync } from "node:fs";
import { SENTIMENT_LABELS } from "@chorus/protocol";
import { type Example, loadSplit, splitPath, toJsonl } from "./dataset.js";

const SEED = 0x5e27;
const DEV_SHARE = 0.7;

/** mulberry32: a tiny deterministic PRNG, so the split does not depend on Math.random. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

const all = loadSplit("all");
const random = prng(SEED);
const dev: Example[] = [];
const test: Example[] = [];
for (const label of SENTIMENT_LABELS) {
  const group = shuffle(
    all.filter((e) => e.label === label),
    random,
  );
  const cut = Math.round(group.length * DEV_SHARE);
  dev.push(...group.slice(0, cut));
  test.push(...group.slice(cut));
}
shuffle(dev, random);
shuffle(test, random);
writeFileSync(splitPath("dev"), toJsonl(dev));
writeFileSync(splitPath("test"), toJsonl(test));
console.log(`all ${all.length} → dev ${dev.length}, test ${test.length}`);
