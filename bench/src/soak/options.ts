/** Flags of `npm run soak`. */
import { parseArgs } from "node:util";
import { numberOption, UsageError } from "../loadgen/options.js";
import { scenario } from "../scenarios.js";
import { JUDGED_FROM_MINUTES, SLOPE_LIMIT_PCT_PER_HOUR } from "./analysis.js";
import type { SoakOptions } from "./run.js";

const steady = scenario("steady", 1, {}).runs[0]?.options;
const STEADY_SUBSCRIBERS = steady?.subscribers ?? 2000;
const STEADY_RATE = steady?.rate ?? 100;
/**
 * Logins per minute the re-authenticating publisher may make: the server allows 30 per
 * minute per address (AUTH_PER_MINUTE) and the soak logs in once per churn cycle.
 */
const MIN_CHURN_EVERY_SEC = 3;

export const SOAK_USAGE = `Usage: npm run soak -- [flags]      (tsx bench/src/soak.ts [flags])

The bench's steady load against one embedded Chorus server for a long time, with connection
churn, sampling the server's heap, RSS and event-loop delay. Prints a report and writes it
as JSON (with every sample).

  -m, --minutes <n>         publishing time                                         60
  -n, --subscribers <n>     subscribers in all (the churn group included)           ${STEADY_SUBSCRIBERS}
  -r, --rate <n>            msg/s into the load channel                             ${STEADY_RATE}
  -w, --workers <n>         steady subscriber worker processes                      CPUs (max 8)
      --churn-per-min <%>   subscribers dropped and resumed per minute, % of all    10
      --churn-every <s>     one churn cycle: the group drops at once and resumes;
                            a publisher logs in, sends 2 messages, logs out         15 (≥ ${MIN_CHURN_EVERY_SEC})
      --sample-every <s>    one server reading: RSS, event-loop delay, CPU          15
      --gc-every <s|off>    a reading forces a full GC first; the heap trend is
                            over heap used right after it (off: lowest per window)  60
      --warmup <s>          publishing time left out of the trends                  10 %, ≥ min(2 min, 25 %)
  -o, --out <file>          JSON report (rewritten after every sample)              $TMPDIR/chorus-soak-<date>.json
  -h, --help

Exit status: 1 when anything counted as an error happened (lost or duplicated messages,
seq gaps, failed resumes, connects or publishes, unexpected closes, server error logs), or —
only for runs of ${JUDGED_FROM_MINUTES} minutes or more — when heap or RSS grows ${SLOPE_LIMIT_PCT_PER_HOUR} %/h or more (least squares
over the samples after the warm-up, relative to the mean level). 2 for bad flags.

The server and the load generator need most of two cores: run it on a quiet machine (the
report gives the machine's CPU pressure; above 50 % its figures describe the machine).
`;

export interface SoakCli extends SoakOptions {
  out: string | undefined;
}

/** Parses the flags; undefined when help was asked for. Throws `UsageError`. */
export function parseSoakOptions(argv: readonly string[]): SoakCli | undefined {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = values;
  if (v.help) return undefined;
  const gcEvery = v["gc-every"]?.trim().toLowerCase();
  const subscribers = numberOption("subscribers", v.subscribers, STEADY_SUBSCRIBERS, { integer: true, min: 2 });
  return {
    minutes: numberOption("minutes", v.minutes, 60, { min: 0.1 }),
    subscribers,
    rate: numberOption("rate", v.rate, STEADY_RATE, { min: 0.1 }),
    workers:
      v.workers === undefined ? undefined : numberOption("workers", v.workers, 1, { integer: true, min: 1, max: 64 }),
    churnPctPerMin: numberOption("churn-per-min", v["churn-per-min"], 10, { min: 0, max: 1000 }),
    churnEverySec: numberOption("churn-every", v["churn-every"], 15, { min: MIN_CHURN_EVERY_SEC }),
    sampleEverySec: numberOption("sample-every", v["sample-every"], 15, { min: 1 }),
    warmupSec: v.warmup === undefined ? undefined : numberOption("warmup", v.warmup, 0),
    gcEverySec: gcEvery === "off" ? null : numberOption("gc-every", gcEvery, 60, { min: 1 }),
    out: v.out,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      minutes: { type: "string", short: "m" },
      subscribers: { type: "string", short: "n" },
      rate: { type: "string", short: "r" },
      workers: { type: "string", short: "w" },
      "churn-per-min": { type: "string" },
      "churn-every": { type: "string" },
      "sample-every": { type: "string" },
      warmup: { type: "string" },
      "gc-every": { type: "string" },
      out: { type: "string", short: "o" },
      help: { type: "boolean", short: "h" },
    },
  });
}
