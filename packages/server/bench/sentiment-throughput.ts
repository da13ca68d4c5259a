/**
 * Messages per second the sentiment analyser scores on one core, over the evaluation set's
 * messages (short, real-looking chat) and over 500-character walls of text.
 *
 *   npx tsx packages/server/bench/sentiment-throughput.ts
 */

import { loadSplit } from "../eval/dataset.js";
import { analyzeSentiment } from "../src/analysis/analyzer.js";

function rate(texts: readonly string[], rounds: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const t of texts) sink += analyzeSentiment(t).score;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (Number.isNaN(sink)) throw new Error("unreachable: keeps the loop from being optimised away");
  return (rounds * texts.length) / seconds;
}

const short = loadSplit("all").map((e) => e.text);
const long = short.slice(0, 200).map((t, i) => `${t} `.repeat(Math.ceil(500 / (t.length + 1))).slice(0, 500) + i);
const customEmotes = { chorusHype: 4, chorusSad: -3 };

rate(short, 20); // warm-up: JIT and the lexicon maps
const shortRate = rate(short, 200);
const longRate = rate(long, 20);
let sink = 0;
const start = process.hrtime.bigint();
for (let r = 0; r < 100; r++) for (const t of short) sink += analyzeSentiment(t, { customEmotes }).score;
const customRate = (100 * short.length) / (Number(process.hrtime.bigint() - start) / 1e9);

const avg = short.reduce((n, t) => n + t.length, 0) / short.length;
console.log(`short messages (${short.length} distinct, avg ${avg.toFixed(1)} chars): ${Math.round(shortRate)} msg/s`);
console.log(`with customEmotes:                                  ${Math.round(customRate + sink * 0)} msg/s`);
console.log(`500-char messages:                                  ${Math.round(longRate)} msg/s`);
