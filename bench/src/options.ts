/**
 * Command-line flags of the fan-out benchmark. Every flag has an environment variable of the
 * same meaning (the flag wins), so the benchmark can be tuned in CI without editing scripts:
 * `npm run bench -- --subscribers 500` or `BENCH_SUBSCRIBERS=500 npm run bench`.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { TARGET_NAMES, type TargetName } from "./targets/types.js";

/** What `npm run bench` runs without --targets; the cluster needs redis-server and PostgreSQL. */
const DEFAULT_TARGETS: readonly TargetName[] = ["chorus", "socketio"];

export interface Options {
  /** Subscriber connections, all in one channel. @default 2000 */
  subscribers: number;
  /** Published messages per second (open loop). @default 100 */
  rate: number;
  /** Publishing time, seconds. @default 10 */
  durationSec: number;
  /** Message text size, characters. @default 200 */
  size: number;
  /** Subscriber worker processes. @default the number of CPUs (at most 8) */
  workers: number;
  /** New subscriber connections per second, over all workers. @default 500 */
  connectRate: number;
  /** Pause between "all subscribed" and the first message, seconds. @default 1 */
  settleSec: number;
  /** Wait after the last send before collecting, seconds. @default 2 */
  drainSec: number;
  /** Targets, in run order. @default chorus,socketio */
  targets: TargetName[];
  /** Before each target, wait up to this long for other processes to leave the CPUs idle. @default 60 */
  waitIdleSec: number;
  /** Hard limit per target, seconds. @default derived from the other options */
  timeoutSec: number;
  /** Print only the JSON line. @default false */
  jsonOnly: boolean;
}

export const USAGE = `Usage: npm run bench -- [flags]      (tsx bench/src/fanout.ts [flags])

  -n, --subscribers <n>   subscriber connections in one channel   BENCH_SUBSCRIBERS   2000
  -r, --rate <n>          messages per second, open loop          BENCH_RATE          100
  -d, --duration <s>      publishing time                         BENCH_DURATION      10
      --size <chars>      message text size                       BENCH_SIZE          200
  -w, --workers <n>       subscriber worker processes             BENCH_WORKERS       CPUs (max 8)
      --connect-rate <n>  connects per second while ramping       BENCH_CONNECT_RATE  500
      --settle <s>        pause before publishing                 BENCH_SETTLE        1
      --drain <s>         wait after the last send                BENCH_DRAIN         2
  -t, --targets <list>    comma-separated: ${TARGET_NAMES.join(",")}   BENCH_TARGETS   ${DEFAULT_TARGETS.join(",")}
                          chorus-cluster: 3 nodes + a private redis-server (AOF) + a fresh
                          PostgreSQL database (BENCH_DATABASE_URL, default the local "test" one)
      --wait-idle <s>     wait for idle CPUs before each target   BENCH_WAIT_IDLE     60
      --timeout <s>       hard limit per target                   BENCH_TIMEOUT       derived
      --json              print only the JSON result line
  -h, --help
`;

export class UsageError extends Error {}

const SPEC = {
  subscribers: { type: "string", short: "n" },
  rate: { type: "string", short: "r" },
  duration: { type: "string", short: "d" },
  size: { type: "string" },
  workers: { type: "string", short: "w" },
  "connect-rate": { type: "string" },
  settle: { type: "string" },
  drain: { type: "string" },
  targets: { type: "string", short: "t" },
  "wait-idle": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function number(
  name: string,
  flag: string | undefined,
  env: string | undefined,
  fallback: number,
  { integer = false, min = 0 }: { integer?: boolean; min?: number } = {},
): number {
  const raw = flag ?? env;
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"} ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function targets(raw: string | undefined): TargetName[] {
  if (raw === undefined || raw.trim() === "") return [...DEFAULT_TARGETS];
  const names = raw.split(",").map((s) => s.trim().toLowerCase());
  const out: TargetName[] = [];
  for (const name of names) {
    const known = TARGET_NAMES.find((t) => t === name);
    if (known === undefined) throw new UsageError(`unknown target "${name}" (known: ${TARGET_NAMES.join(", ")})`);
    if (!out.includes(known)) out.push(known);
  }
  return out;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: SPEC, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Parses flags and environment; returns undefined when help was asked for. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options | undefined {
  const parsed = parse(argv);
  const v = parsed.values;
  if (v.help) return undefined;
  const cpus = Math.min(8, Math.max(1, availableParallelism()));
  const subscribers = number("subscribers", v.subscribers, env["BENCH_SUBSCRIBERS"], 2000, { integer: true, min: 1 });
  const rate = number("rate", v.rate, env["BENCH_RATE"], 100, { min: 0.1 });
  const durationSec = number("duration", v.duration, env["BENCH_DURATION"], 10, { min: 0.1 });
  const size = number("size", v.size, env["BENCH_SIZE"], 200, { integer: true, min: 40 });
  const workers = number("workers", v.workers, env["BENCH_WORKERS"], cpus, { integer: true, min: 1 });
  const connectRate = number("connect-rate", v["connect-rate"], env["BENCH_CONNECT_RATE"], 500, { min: 1 });
  const settleSec = number("settle", v.settle, env["BENCH_SETTLE"], 1);
  const drainSec = number("drain", v.drain, env["BENCH_DRAIN"], 2);
  if (size > 500) throw new UsageError("--size must be at most 500 (the API's message limit)");
  if (Math.round(rate * durationSec) < 1) throw new UsageError("--rate × --duration must be at least one message");
  // Start-up (PGlite can take a while), the connect ramp at half speed, publishing, drain,
  // collection and shutdown, with room to spare.
  const derivedTimeout = Math.ceil(120 + (2 * subscribers) / connectRate + settleSec + durationSec + drainSec + 30);
  return {
    subscribers,
    rate,
    durationSec,
    size,
    workers: Math.min(workers, subscribers),
    connectRate,
    settleSec,
    drainSec,
    targets: targets(v.targets ?? env["BENCH_TARGETS"]),
    waitIdleSec: number("wait-idle", v["wait-idle"], env["BENCH_WAIT_IDLE"], 60),
    timeoutSec: number("timeout", v.timeout, env["BENCH_TIMEOUT"], derivedTimeout, { min: 1 }),
    jsonOnly: v.json === true || env["BENCH_JSON"] === "1",
  };
}
