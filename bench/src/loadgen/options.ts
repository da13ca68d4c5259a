/**
 * Flags of `chorus-loadgen`. Each has an environment variable of the same meaning
 * (`LOADGEN_<FLAG>`, the flag wins), and secrets can come from the environment only
 * (`CHORUS_TOKEN`, `CHORUS_PASSWORD`) so they stay out of shell history and `ps`.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { channelNames, type TransportMix } from "./plan.js";
import type { LoadOptions, PublishVia } from "./run.js";

export interface CliOptions extends LoadOptions {
  /** HTTP base of every node. */
  urls: string[];
  token: string | undefined;
  username: string | undefined;
  password: string | undefined;
  /** Print only the JSON line on stdout. */
  jsonOnly: boolean;
  /** The live progress line on stderr. */
  progress: boolean;
}

export const LOADGEN_USAGE = `Usage: npx chorus-loadgen [flags]      (npm run loadgen -- [flags])

Target and account
      --url <urls>           Chorus HTTP base(s), comma-separated (round robin)            http://localhost:3000
      --token <token>        session token of an account exempt from chat limits          $CHORUS_TOKEN
      --username <name>      …or log in (POST /api/auth/login)                             $CHORUS_USERNAME
      --password <pw>                                                                      $CHORUS_PASSWORD
Subscribers
  -n, --subscribers <n>      subscriber connections                                        1000
      --channels <k>         channels, subscribers spread evenly (i mod k)                 1
      --channel-prefix <p>   channel names <p>_0 … <p>_<k-1>, created if missing           load
      --transport <t>        ws | sse | mixed (alternating)                                ws
      --connect-rate <n>     new connections per second while ramping                      500
  -w, --workers <n>          subscriber worker processes                                   CPUs (max 8)
Publishers
      --publishers <p>       publisher connections                                         1
  -r, --rate <n>             messages per second over all publishers, open loop            100
  -d, --duration <s>         publishing time                                               10
      --size <chars>         message text size (40–500)                                    200
      --publish-via <v>      ws | rest (POST /api/channels/:name/messages) | ingest (batches of 100)   ws
      --settle <s>           pause between "all subscribed" and the first message          1
      --drain <s>            wait after the last send before collecting                    2
Behaviours
      --slow-fraction <f>    fraction of subscribers that read slowly (0–1)                0
      --slow-pause <s>       a slow reader stops reading this long, then reads 1 s         3
      --storm-at <s>         every subscriber drops its connection at this time into
                             publishing, then reconnects with backoff and resumes by seq   off
      --backoff-base <ms>    reconnect backoff: full jitter, ceiling base·2^n              100
      --backoff-cap <ms>     …up to this ceiling                                           5000
      --idle                 connect and publish nothing: RSS per connection, connect rate
Output
      --json                 print only the JSON line (stdout)
      --no-progress          no live progress line (stderr)
      --connect-timeout <s>  one subscriber's limit to connect and subscribe              15
  -h, --help

Every flag also reads LOADGEN_<FLAG> (e.g. LOADGEN_SUBSCRIBERS=500). The last line of stdout is
one JSON object with every figure.
`;

export class UsageError extends Error {}

const SPEC = {
  url: { type: "string" },
  token: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  subscribers: { type: "string", short: "n" },
  channels: { type: "string" },
  "channel-prefix": { type: "string" },
  transport: { type: "string" },
  "connect-rate": { type: "string" },
  workers: { type: "string", short: "w" },
  publishers: { type: "string" },
  rate: { type: "string", short: "r" },
  duration: { type: "string", short: "d" },
  size: { type: "string" },
  "publish-via": { type: "string" },
  settle: { type: "string" },
  drain: { type: "string" },
  "slow-fraction": { type: "string" },
  "slow-pause": { type: "string" },
  "storm-at": { type: "string" },
  "backoff-base": { type: "string" },
  "backoff-cap": { type: "string" },
  idle: { type: "boolean" },
  moderated: { type: "boolean" },
  json: { type: "boolean" },
  "no-progress": { type: "boolean" },
  "connect-timeout": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parse>["values"];

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: SPEC, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function envName(flag: string): string {
  return `LOADGEN_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** A flag's raw value, or its LOADGEN_* variable. */
function raw(v: Values, env: NodeJS.ProcessEnv, flag: keyof typeof SPEC): string | undefined {
  const value = v[flag];
  if (typeof value === "string") return value;
  const fromEnv = env[envName(flag)];
  return fromEnv === "" ? undefined : fromEnv;
}

export function numberOption(
  name: string,
  value: string | undefined,
  fallback: number,
  { integer = false, min = 0, max = Number.POSITIVE_INFINITY }: { integer?: boolean; min?: number; max?: number } = {},
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"} ${range}, got "${value}"`);
  }
  return n;
}

function choice<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const found = allowed.find((a) => a === value.trim().toLowerCase());
  if (found === undefined) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return found;
}

/** `http://a:3000,http://b:3000/` → normalised origins (no trailing slash). */
export function parseUrls(value: string): string[] {
  const urls = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (urls.length === 0) throw new UsageError("--url needs at least one URL");
  return urls.map((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new UsageError(`--url: "${u}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url: "${u}" must be http(s)`);
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  });
}

/** Parses flags and environment; undefined when help was asked for. */
export function parseLoadgenOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions | undefined {
  const { values: v } = parse(argv);
  if (v.help) return undefined;
  const r = (flag: keyof typeof SPEC) => raw(v, env, flag);
  const subscribers = numberOption("subscribers", r("subscribers"), 1000, { integer: true, min: 1 });
  const channels = numberOption("channels", r("channels"), 1, { integer: true, min: 1, max: 100_000 });
  const channelPrefix = (r("channel-prefix") ?? "load").toLowerCase();
  try {
    channelNames(channelPrefix, channels);
  } catch (err) {
    throw new UsageError(`--channel-prefix: ${err instanceof Error ? err.message : String(err)}`);
  }
  const rate = numberOption("rate", r("rate"), 100, { min: 0.1 });
  const durationSec = numberOption("duration", r("duration"), 10, { min: 0.1 });
  const idle = v.idle === true || env[envName("idle")] === "1";
  const stormRaw = r("storm-at");
  const stormAtSec = stormRaw === undefined ? undefined : numberOption("storm-at", stormRaw, 0, { min: 0 });
  if (stormAtSec !== undefined && stormAtSec >= durationSec) {
    throw new UsageError(`--storm-at (${stormAtSec}) must be before the end of publishing (--duration ${durationSec})`);
  }
  if (idle && stormAtSec !== undefined) throw new UsageError("--idle publishes nothing: --storm-at needs publishing");
  const backoffBase = numberOption("backoff-base", r("backoff-base"), 100, { min: 1 });
  const backoffCap = numberOption("backoff-cap", r("backoff-cap"), 5_000, { min: backoffBase });
  const cpus = Math.min(8, Math.max(1, availableParallelism()));
  const workers = numberOption("workers", r("workers"), cpus, { integer: true, min: 1 });
  return {
    urls: parseUrls(r("url") ?? "http://localhost:3000"),
    token: v.token ?? env["CHORUS_TOKEN"] ?? undefined,
    username: v.username ?? env["CHORUS_USERNAME"] ?? undefined,
    password: v.password ?? env["CHORUS_PASSWORD"] ?? undefined,
    subscribers,
    channels,
    channelPrefix,
    transport: choice<TransportMix>("transport", r("transport"), ["ws", "sse", "mixed"], "ws"),
    publishers: numberOption("publishers", r("publishers"), 1, { integer: true, min: 1 }),
    rate,
    durationSec,
    size: numberOption("size", r("size"), 200, { integer: true, min: 40, max: 500 }),
    publishVia: choice<PublishVia>("publish-via", r("publish-via"), ["ws", "rest", "ingest"], "ws"),
    connectRate: numberOption("connect-rate", r("connect-rate"), 500, { min: 1 }),
    workers: Math.min(workers, subscribers),
    settleSec: numberOption("settle", r("settle"), 1),
    drainSec: numberOption("drain", r("drain"), 2),
    slowFraction: numberOption("slow-fraction", r("slow-fraction"), 0, { min: 0, max: 1 }),
    slowPauseSec: numberOption("slow-pause", r("slow-pause"), 3, { min: 0.1 }),
    stormAtSec,
    backoff: { baseMs: backoffBase, capMs: backoffCap },
    idle,
    connectTimeoutSec: numberOption("connect-timeout", r("connect-timeout"), 15, { min: 1 }),
    moderated: v.moderated === true,
    jsonOnly: v.json === true || env[envName("json")] === "1",
    progress: v["no-progress"] !== true,
  };
}
