/**
 * What the write pipeline costs per message, in process: the checks a message passes before
 * it is appended, timed one message at a time (p50 / p99 / max in µs) and as throughput. Two
 * configurations on the same draft stream, alternating to share the machine's noise:
 *
 * - `core`: the checks the chat core had before moderation (text, identifiers, retry, guests,
 *   rate limit, reply parent);
 * - `moderation`: every check, in a channel with 10 blocked terms (mask, hold and reject),
 *   unique chat on, and the sender a viewer (so nothing exempts it): the most a message pays.
 *
 * `terms`, `terms+unique`, `terms+automod4` and `all filters` (AutoMod 4 with the capitals and
 * repeat filters; links are checked in every row, VIP+ being the default) add to that.
 *
 * Every draft is different text, so unique chat never refuses and the blocked terms run on
 * ordinary chat lines (a tenth of them containing a term). Real adapters: PGlite in memory
 * behind the embedded log (the retry lookup), the memory limiter.
 *
 * Usage: npm run bench:pipeline [-- messages]   (default 20,000 per round, 3 rounds)
 */
import { performance } from "node:perf_hooks";
import { type BlockedTerm, DEFAULT_CHANNEL_SETTINGS } from "@chorus/protocol";
import { EmbeddedLog } from "../src/adapters/embedded/embedded-log.js";
import { MemoryLimiter } from "../src/adapters/embedded/memory-limiter.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { ChannelState } from "../src/channels/channel-cache.js";
import { guestsCheck } from "../src/chat/checks/guests.js";
import { identifiersCheck } from "../src/chat/checks/identifiers.js";
import { defaultChecks } from "../src/chat/checks/index.js";
import { rateLimitCheck } from "../src/chat/checks/rate-limit.js";
import { replyParentCheck } from "../src/chat/checks/reply-parent.js";
import { retryCheck } from "../src/chat/checks/retry.js";
import { textCheck } from "../src/chat/checks/text.js";
import type { Draft } from "../src/chat/draft.js";
import { WritePipeline } from "../src/chat/pipeline.js";

const messages = Number(process.argv[2] ?? 20_000);
const ROUNDS = 3;

const TERMS: BlockedTerm[] = [
  { term: "badword", action: "reject" },
  { term: "darn", action: "mask" },
  { term: "heck", action: "hold" },
  { term: "noob*", action: "mask" },
  { term: "scam", action: "reject" },
  { term: "free money", action: "reject" },
  { term: "idiot", action: "hold" },
  { term: "trash", action: "mask" },
  { term: "loser", action: "mask" },
  { term: "cringe", action: "mask" },
];
const LINES = [
  "that was an insane play",
  "KEKW KEKW KEKW",
  "who is winning right now?",
  "PogChamp what a clutch",
  "gg wp everyone",
  "chat is moving so fast nobody will notice",
  "what a noob move lol",
  "@streamer when is the next stream",
  "this song is a banger",
  "LUL",
];

function channel(settings: Partial<typeof DEFAULT_CHANNEL_SETTINGS>): ChannelState {
  return {
    record: {
      name: "bench",
      title: "bench",
      ownerId: "owner",
      settings: { ...DEFAULT_CHANNEL_SETTINGS, ...settings },
      videoUrl: null,
      liveBroadcastId: null,
      createdAt: 0,
    },
    roles: new Map(),
    broadcast: null,
    sanctions: new Map(),
    statuses: new Map(),
  };
}

const user = {
  id: "viewer-1",
  username: "viewer1",
  displayName: "viewer1",
  color: "#fff",
  passwordHash: "x",
  isAdmin: false,
  isGuest: false,
  createdAt: 0,
};

function draft(state: ChannelState, i: number): Draft {
  const text = `${LINES[i % LINES.length]} #${i}`;
  return {
    channel: state,
    author: { kind: "local", user, role: "viewer", exempt: false, address: null },
    rawText: text,
    text: "",
    nonce: `n${i}`,
    replyTo: undefined,
    dedupKey: `bench:${user.id}:n${i}:${Math.random()}`,
    receivedAt: Date.now(),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function measure(
  pipeline: WritePipeline,
  state: ChannelState,
): Promise<{ p50: number; p99: number; max: number; perSec: number }> {
  const times = new Float64Array(messages);
  const start = performance.now();
  for (let i = 0; i < messages; i++) {
    const d = draft(state, i);
    const t0 = performance.now();
    await pipeline.run(d);
    times[i] = (performance.now() - t0) * 1000;
  }
  const elapsed = performance.now() - start;
  times.sort();
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    max: times[messages - 1] ?? 0,
    perSec: (messages / elapsed) * 1000,
  };
}

const store = await openStore({ dataDir: "memory://", databaseUrl: null });
const log = await EmbeddedLog.open(store);
// Budgets large enough that no draft is refused by a limit: we time the work, not refusals.
const limiter = new MemoryLimiter({
  message: { points: 10_000_000, durationSec: 3600 },
  message_privileged: { points: 10_000_000, durationSec: 3600 },
});
const core = new WritePipeline([
  textCheck,
  identifiersCheck,
  retryCheck(log),
  guestsCheck,
  rateLimitCheck(limiter),
  replyParentCheck(store),
]);
const moderation = new WritePipeline(defaultChecks({ log, limiter, store }));
const configs = [
  ["core", core, channel({})],
  ["terms", moderation, channel({ blockedTerms: TERMS })],
  ["terms+unique", moderation, channel({ blockedTerms: TERMS, uniqueChat: true })],
  ["terms+automod4", moderation, channel({ blockedTerms: TERMS, autoModLevel: 4 })],
  ["all filters", moderation, channel({ blockedTerms: TERMS, autoModLevel: 4, capsLimitPercent: 70, repeatLimit: 10 })],
] as const;

// Warm up the JIT and the matcher's compile cache.
for (const [, pipeline, state] of configs) await measure(pipeline, state);
const rows: string[] = [];
const results = new Map<string, Array<{ p50: number; p99: number; max: number; perSec: number }>>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, pipeline, state] of configs) {
    const r = await measure(pipeline, state);
    results.set(name, [...(results.get(name) ?? []), r]);
    rows.push(
      `${round}  ${name.padEnd(14)}  p50 ${r.p50.toFixed(1).padStart(6)} µs  p99 ${r.p99.toFixed(1).padStart(6)} µs  max ${r.max.toFixed(0).padStart(6)} µs  ${Math.round(r.perSec).toLocaleString("en").padStart(9)} msg/s`,
    );
  }
}
console.log(`pipeline cost, ${messages.toLocaleString("en")} messages per round, node ${process.version}`);
for (const row of rows) console.log(row);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const [name, runs] of results) {
  console.log(
    `median ${name}: ${Math.round(median(runs.map((r) => r.perSec))).toLocaleString("en")} msg/s, p50 ${median(runs.map((r) => r.p50)).toFixed(1)} µs, p99 ${median(runs.map((r) => r.p99)).toFixed(1)} µs`,
  );
}
await log.close();
await store.close();
