/**
 * The sentiment pool's transports compared: postMessage (batched per event-loop turn) against an
 * SPSC ring buffer in a SharedArrayBuffer (Atomics.wait in the worker, Atomics.waitAsync on the
 * main thread), on the same pool, the same chat lines and the real analyser.
 *
 * For each transport:
 * - max throughput: as many messages as the pool answers in `--max-duration` seconds with a
 *   bounded in-flight window (`--window`), after a one-second warm-up; once with the real
 *   analyser and once with a stand-in that answers a constant (the transport's own ceiling);
 * - fixed load: `--rate` messages/s (default 5,000) for `--duration` seconds (default 10) with
 *   the server's defaults (maxPending 1024, timeoutMs 50): event-loop delay p50/p99/max
 *   (monitorEventLoopDelay at 1 ms resolution; it records the whole interval, so an idle loop
 *   reads ~1.1 ms), per-request latency p50/p99, answers that came back undefined (timeouts,
 *   saturation), and the main thread's event-loop utilisation.
 * `inline` is the baseline without a pool: analyzeSentiment called on the main thread.
 *
 * Chat lines: a generated mix of emote lines, short reactions and sentences up to ~200 characters
 * (some with emoji and accents); a fifth come with a channel's 30 custom emotes.
 *
 * Usage: npm run bench:sentiment-pool [-- --duration 10 --max-duration 5 --workers N --rate 5000
 *        --window 256 --transports postMessage,ring --rounds 1]
 */
import { availableParallelism, loadavg } from "node:os";
import { createHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { analyzeSentiment } from "../src/analysis/analyzer.js";
import type { Transport } from "../src/analysis/sentiment-worker.js";
import { createSentimentPool, type SentimentPoolEvent } from "../src/analysis/worker-pool.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    "max-duration": { type: "string", default: "5" },
    workers: { type: "string", default: String(Math.max(1, availableParallelism() - 1)) },
    rate: { type: "string", default: "5000" },
    window: { type: "string", default: "256" },
    transports: { type: "string", default: "postMessage,ring" },
    rounds: { type: "string", default: "1" },
  },
});
const DURATION_S = Number(values.duration);
const MAX_DURATION_S = Number(values["max-duration"]);
const WORKERS = Number(values.workers);
const RATE = Number(values.rate);
const WINDOW = Number(values.window);
const ROUNDS = Number(values.rounds);
const TRANSPORTS = values.transports.split(",") as Transport[];
const WARM_UP_MS = 1_000;

const NULL_ANALYSER = `data:text/javascript,${encodeURIComponent(
  'export function analyzeSentiment() { return { label: "neutral", score: 0, tags: [] }; }',
)}`;

// ── Chat lines ──

const EMOTES = ["KEKW", "PogChamp", "LUL", "monkaS", "Kappa", "OMEGALUL", "Sadge", "PepeHands", "catJAM", "<3"];
const REACTIONS = ["gg", "lol", "W", "L", "no way", "nice", "?", "lmao", "let's go", "rip", "clip it", "F"];
const WORDS = (
  "that was an insane play who is winning right now chat this song is a banger when is the next stream " +
  "i love this streamer so much what a terrible call honestly the worst decision ever but still funny " +
  "can you explain the build please this game looks amazing today why is everyone so toxic here"
).split(" ");
const EXTRAS = ["🎉", "🔥", "😂", "💀", "héhé", "naïve", "❤️", "!!!", "???", "sooo good"];
const CUSTOM_EMOTES: Readonly<Record<string, number>> = Object.fromEntries(
  Array.from({ length: 30 }, (_, i) => [`chorus${i}Emote`, (i % 11) - 5]),
);

function chatLines(count: number): string[] {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    return seed % n;
  };
  return Array.from({ length: count }, () => {
    const kind = next(10);
    if (kind < 3) return Array.from({ length: 1 + next(4) }, () => EMOTES[next(EMOTES.length)]).join(" ");
    if (kind < 5) return `${REACTIONS[next(REACTIONS.length)]} ${EMOTES[next(EMOTES.length)]}`;
    const words = Array.from({ length: 4 + next(30) }, () => WORDS[next(WORDS.length)]!);
    if (next(3) === 0) words.push(EXTRAS[next(EXTRAS.length)]!);
    if (next(4) === 0) words.splice(next(words.length), 0, `chorus${next(30)}Emote`);
    return words.join(" ").slice(0, 200);
  });
}
const LINES = chatLines(10_000);
const emotesFor = (i: number): Readonly<Record<string, number>> | undefined =>
  i % 5 === 0 ? CUSTOM_EMOTES : undefined;

// ── Phases ──

interface Throughput {
  messagesPerSec: number;
  answered: number;
  undefinedAnswers: number;
}

async function throughput(mode: Transport | "inline", analyser: "real" | "null"): Promise<Throughput> {
  if (mode === "inline") {
    let n = 0;
    const until = performance.now() + MAX_DURATION_S * 1000;
    const started = performance.now();
    while (performance.now() < until) {
      for (let k = 0; k < 100; k++, n++) analyzeSentiment(LINES[n % LINES.length]!, { customEmotes: emotesFor(n) });
    }
    return { messagesPerSec: n / ((performance.now() - started) / 1000), answered: n, undefinedAnswers: 0 };
  }
  const pool = createSentimentPool({
    workers: WORKERS,
    transport: mode,
    maxPending: WINDOW,
    timeoutMs: 1_000,
    ...(analyser === "null" ? { analyserForTest: NULL_ANALYSER } : {}),
  });
  await pool.whenReady();
  let answered = 0;
  let undefinedAnswers = 0;
  let counting = false;
  let stopping = false;
  let inflight = 0;
  let i = 0;
  let measuredMs = 0;
  await new Promise<void>((done) => {
    const issue = (): void => {
      while (!stopping && inflight < WINDOW) {
        inflight++;
        const n = i++;
        void pool.analyze(LINES[n % LINES.length]!, emotesFor(n)).then((sentiment) => {
          inflight--;
          if (counting) {
            if (sentiment) answered++;
            else undefinedAnswers++;
          }
          if (!stopping) issue();
          else if (inflight === 0) done();
        });
      }
    };
    issue();
    setTimeout(() => {
      counting = true;
      const started = performance.now();
      setTimeout(() => {
        counting = false;
        stopping = true;
        measuredMs = performance.now() - started;
      }, MAX_DURATION_S * 1000);
    }, WARM_UP_MS);
  });
  await pool.close();
  return { messagesPerSec: answered / (measuredMs / 1000), answered, undefinedAnswers };
}

interface Load {
  offeredPerSec: number;
  sent: number;
  answered: number;
  undefinedAnswers: number;
  timeouts: number;
  saturated: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  latencyMs: { p50: number; p99: number };
  mainThreadUtilisation: number;
  /** Main-thread busy time per message sent (generator included), from the utilisation. */
  mainThreadUsPerMessage: number;
}

async function offeredLoad(mode: Transport | "inline"): Promise<Load> {
  const events = new Map<SentimentPoolEvent, number>();
  const pool =
    mode === "inline"
      ? undefined
      : createSentimentPool({
          workers: WORKERS,
          transport: mode,
          onEvent: (e) => events.set(e, (events.get(e) ?? 0) + 1),
        });
  await pool?.whenReady();
  const latency = createHistogram();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let sent = 0;
  let measuredSent = 0;
  let answered = 0;
  let undefinedAnswers = 0;
  let measuring = false;
  let measureStart = 0;
  let utilisation = 0;
  const record = (since: number): void => {
    latency.record(Math.max(1, Math.round((performance.now() - since) * 1e6)));
  };
  const send = (): void => {
    const n = sent++;
    const text = LINES[n % LINES.length]!;
    const counted = measuring;
    if (counted) measuredSent++;
    const since = performance.now();
    if (!pool) {
      analyzeSentiment(text, { customEmotes: emotesFor(n) });
      if (counted) {
        record(since);
        answered++;
      }
      return;
    }
    void pool.analyze(text, emotesFor(n)).then((sentiment) => {
      if (!counted) return;
      record(since);
      if (sentiment) answered++;
      else undefinedAnswers++;
    });
  };
  const start = performance.now();
  let elu = performance.eventLoopUtilization();
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const now = performance.now();
      if (!measuring && now - start >= WARM_UP_MS) {
        measuring = true;
        measureStart = now;
        events.clear();
        delay.enable();
        elu = performance.eventLoopUtilization();
      }
      // Catch up to the schedule: a late tick sends a burst, as a busy server would receive one.
      const due = Math.floor(((now - start) / 1000) * RATE);
      while (sent < due) send();
      if (measuring && now - measureStart >= DURATION_S * 1000) {
        clearInterval(tick);
        delay.disable();
        utilisation = performance.eventLoopUtilization(elu).utilization;
        done();
      }
    }, 1);
  });
  while (pool && pool.pending > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await pool?.close();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  return {
    offeredPerSec: Math.round(measuredSent / DURATION_S),
    sent: measuredSent,
    answered,
    undefinedAnswers,
    timeouts: events.get("timeout") ?? 0,
    saturated: events.get("saturated") ?? 0,
    eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    latencyMs: { p50: ms(latency.percentile(50)), p99: ms(latency.percentile(99)) },
    mainThreadUtilisation: Math.round(utilisation * 1000) / 1000,
    mainThreadUsPerMessage: Math.round(((utilisation * DURATION_S * 1e6) / measuredSent) * 10) / 10,
  };
}

// ── Run ──

interface Row {
  round: number;
  mode: Transport | "inline";
  throughput: Throughput;
  throughputNullAnalyser: Throughput | undefined;
  load: Load;
}

const rows: Row[] = [];
const loadBefore = loadavg();
for (let round = 1; round <= ROUNDS; round++) {
  // Alternate the order between rounds so drift in the machine's load does not favour one.
  const modes: (Transport | "inline")[] = ["inline", ...(round % 2 ? TRANSPORTS : [...TRANSPORTS].reverse())];
  for (const mode of modes) {
    process.stderr.write(`round ${round}: ${mode}…\n`);
    const max = await throughput(mode, "real");
    const maxNull = mode === "inline" ? undefined : await throughput(mode, "null");
    const load = await offeredLoad(mode);
    rows.push({ round, mode, throughput: max, throughputNullAnalyser: maxNull, load });
  }
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(
  `\nsentiment pool: ${WORKERS} worker(s), window ${WINDOW}, ${MAX_DURATION_S} s max-throughput runs, ` +
    `${RATE}/s for ${DURATION_S} s (load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")})`,
);
console.log(
  `${"round".padEnd(6)}${"transport".padEnd(12)}${pad("max msg/s", 11)}${pad("(null an.)", 11)} │` +
    `${pad("ELD p50", 8)}${pad("p99", 7)}${pad("max", 7)} │${pad("lat p50", 8)}${pad("p99", 7)} │${pad("undef", 6)}${pad("ELU", 6)}${pad("µs/msg", 7)}`,
);
for (const { round, mode, throughput: t, throughputNullAnalyser: n, load: l } of rows) {
  console.log(
    `${String(round).padEnd(6)}${mode.padEnd(12)}${pad(Math.round(t.messagesPerSec), 11)}${pad(n ? Math.round(n.messagesPerSec) : "-", 11)} │` +
      `${pad(l.eventLoopDelayMs.p50, 8)}${pad(l.eventLoopDelayMs.p99, 7)}${pad(l.eventLoopDelayMs.max, 7)} │` +
      `${pad(l.latencyMs.p50, 8)}${pad(l.latencyMs.p99, 7)} │${pad(l.undefinedAnswers, 6)}${pad(l.mainThreadUtilisation, 6)}${pad(l.mainThreadUsPerMessage, 7)}`,
  );
}
console.log(
  "(max msg/s: real analyser, and a constant stand-in; at the fixed load — ELD: event-loop delay, ms; lat: request " +
    "latency, ms; undef: undefined answers; ELU: main-thread utilisation; µs/msg: main-thread busy time per message)",
);
console.log(
  JSON.stringify({
    node: process.version,
    cpus: availableParallelism(),
    loadAverage: loadBefore,
    workers: WORKERS,
    window: WINDOW,
    rate: RATE,
    durationS: DURATION_S,
    maxDurationS: MAX_DURATION_S,
    rows,
  }),
);
