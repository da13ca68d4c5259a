/**
 * `npm run bench`: the same load against each target, one after another, through the load
 * generator's `runLoad` (the code path of `chorus-loadgen`). The benchmark starts each
 * server itself in its own process (see targets/*.ts), waits for the machine to be idle,
 * runs the scenario's load(s), stops the server, and prints one table per scenario with
 * Chorus ÷ peer ratios, then exactly one JSON line (the last line of stdout).
 * Usage: `npm run bench -- --help`.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { numberOption } from "./loadgen/options.js";
import { fmt, int, progressLine, renderResults, toJsonLine } from "./loadgen/report.js";
import { type LoadResult, runLoad } from "./loadgen/run.js";
import { gitDescribe, installExitHandlers, machineBusySeconds, sleep } from "./processes.js";
import {
  bestSustained,
  scenario as makeScenario,
  type Overrides,
  SCENARIO_NAMES,
  type Scenario,
  type ScenarioName,
} from "./scenarios.js";
import { ratio } from "./stats.js";
import { TARGETS } from "./targets/index.js";
import { type RunningTarget, TARGET_NAMES, type TargetName } from "./targets/types.js";

const PAUSE_BETWEEN_TARGETS_MS = 2_000;
/** Above this much CPU used by other processes (% of one core), a measurement is flagged. */
const NOISY_MACHINE_PCT = 20;

export const BENCH_USAGE = `Usage: npm run bench -- [flags]      (tsx bench/src/bench.ts [flags])

  -s, --scenario <name>   ${SCENARIO_NAMES.join(" | ")}        steady
  -t, --targets <list>    comma-separated: ${TARGET_NAMES.join(",")}    the scenario's
                          (chorus-cluster: 3 nodes + private redis-server + PostgreSQL at BENCH_DATABASE_URL)
  -n, --subscribers <n>   override the scenario's subscriber count
  -r, --rate <n>          override its rate, msg/s (not for the stepped max / ingest-*)
  -d, --duration <s>      override its publishing time (per step for stepped scenarios)
      --size <chars>      message text size                                200
  -w, --workers <n>       subscriber worker processes                      CPUs (max 8)
      --connect-rate <n>  connects per second while ramping
      --settle <s>        pause before publishing                          1
      --drain <s>         wait after the last send                         2
      --wait-idle <s>     wait for idle CPUs before each target            60
      --moderated         Chorus: 10 blocked terms, AutoMod 4, spam filters on the load channels;
                          publish as a filtered bot user instead of the admin
      --json              print only the JSON line
  -h, --help

Scenarios:
${SCENARIO_NAMES.map((n) => `  ${n.padEnd(12)} ${makeScenario(n, 2, {}).description}`).join("\n")}
`;

interface BenchOptions {
  scenario: ScenarioName;
  targets: TargetName[] | undefined;
  overrides: Overrides;
  waitIdleSec: number;
  jsonOnly: boolean;
}

function parseBenchOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values: v } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      scenario: { type: "string", short: "s" },
      targets: { type: "string", short: "t" },
      subscribers: { type: "string", short: "n" },
      rate: { type: "string", short: "r" },
      duration: { type: "string", short: "d" },
      size: { type: "string" },
      workers: { type: "string", short: "w" },
      "connect-rate": { type: "string" },
      settle: { type: "string" },
      drain: { type: "string" },
      "wait-idle": { type: "string" },
      json: { type: "boolean" },
      moderated: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) return undefined;
  const name = SCENARIO_NAMES.find((s) => s === (v.scenario ?? "steady"));
  if (name === undefined) throw new Error(`unknown scenario "${v.scenario}" (known: ${SCENARIO_NAMES.join(", ")})`);
  let targets: TargetName[] | undefined;
  if (v.targets !== undefined) {
    targets = [];
    for (const raw of v.targets.split(",")) {
      const t = TARGET_NAMES.find((n) => n === raw.trim().toLowerCase());
      if (t === undefined) throw new Error(`unknown target "${raw}" (known: ${TARGET_NAMES.join(", ")})`);
      if (!targets.includes(t)) targets.push(t);
    }
  }
  const opt = (n: string, raw: string | undefined, o: Parameters<typeof numberOption>[3] = {}) =>
    raw === undefined ? undefined : numberOption(n, raw, 0, o);
  const overrides: Overrides = {};
  const set = <K extends Exclude<keyof Overrides, "moderated">>(k: K, value: number | undefined) => {
    if (value !== undefined) overrides[k] = value;
  };
  set("subscribers", opt("subscribers", v.subscribers, { integer: true, min: 1 }));
  set("rate", opt("rate", v.rate, { min: 0.1 }));
  set("durationSec", opt("duration", v.duration, { min: 0.1 }));
  set("size", opt("size", v.size, { integer: true, min: 40, max: 500 }));
  set("workers", opt("workers", v.workers, { integer: true, min: 1 }));
  set("connectRate", opt("connect-rate", v["connect-rate"], { min: 1 }));
  set("settleSec", opt("settle", v.settle));
  set("drainSec", opt("drain", v.drain));
  if (v.moderated) overrides.moderated = true;
  return {
    scenario: name,
    targets,
    overrides,
    waitIdleSec: opt("wait-idle", v["wait-idle"]) ?? 60,
    jsonOnly: v.json === true,
  };
}

/** CPU used by other processes in the last `sec` seconds, % of one core (NaN off Linux). */
async function otherLoadPct(sec: number): Promise<number> {
  const m0 = machineBusySeconds();
  const s0 = process.cpuUsage();
  await sleep(sec * 1000);
  const m1 = machineBusySeconds();
  const self = process.cpuUsage(s0);
  if (m0 === undefined || m1 === undefined) return Number.NaN;
  return Math.max(0, ((m1 - m0 - (self.user + self.system) / 1e6) / sec) * 100);
}

/** Waits (bounded) until nothing else is using the CPUs, so that targets are measured alike. */
async function waitForQuietMachine(maxSec: number, log: (msg: string) => void): Promise<void> {
  if (maxSec <= 0) return;
  const deadline = performance.now() + maxSec * 1000;
  let first = true;
  for (;;) {
    const other = await otherLoadPct(1);
    if (!(other > NOISY_MACHINE_PCT)) return;
    if (performance.now() >= deadline) {
      log(`machine still busy (${other.toFixed(0)}% of a core used by other processes); measuring anyway`);
      return;
    }
    if (first) log(`machine busy (${other.toFixed(0)}% of a core used by other processes); waiting up to ${maxSec} s`);
    first = false;
  }
}

interface TargetRuns {
  target: TargetName;
  label: string;
  ok: boolean;
  error?: string;
  runs: LoadResult[];
  serverLogTail?: string[];
}

function suspicious(r: LoadResult): boolean {
  return (
    !r.ok || r.counts.lost > 0 || r.counts.duplicates > 0 || r.counts.seqGaps > 0 || (r.publish?.rejected ?? 0) > 0
  );
}

async function runTarget(name: TargetName, sc: Scenario, o: BenchOptions): Promise<TargetRuns> {
  const def = TARGETS[name];
  const log = (msg: string) => process.stderr.write(`[${name}] ${msg}\n`);
  const out: TargetRuns = { target: name, label: def?.label ?? name, ok: false, runs: [] };
  if (def === undefined) {
    out.error = "target not available in this checkout";
    log(out.error);
    return out;
  }
  await waitForQuietMachine(o.waitIdleSec, log);
  const abort = new AbortController();
  let target: RunningTarget | undefined;
  try {
    log("starting server");
    target = await def.start(abort.signal, sc.env ? { env: sc.env } : {});
    const running = target;
    for (const run of sc.runs) {
      const label = run.label ? `${def.label} @ ${run.label}` : def.label;
      log(`run ${label}`);
      const result = await runLoad(
        run.options,
        {
          label,
          client: running.client,
          httpUrls: running.httpUrls ?? [],
          ...(running.token !== undefined ? { token: running.token } : {}),
          pids: running.pids ?? [running.pid],
          ...(running.connectChannelPublisher
            ? { connectChannelPublisher: () => running.connectChannelPublisher!() }
            : {}),
          connectPublisher: () => running.connectPublisher(),
        },
        (p) => process.stderr.write(`[${name}] ${progressLine(p)}\n`),
      );
      out.runs.push(result);
      if (suspicious(result)) out.serverLogTail = running.logTail();
      if (sc.sustained && !sc.sustained(result)) {
        log(`not sustained at ${run.label}: stopping the steps`);
        break;
      }
    }
    out.ok = out.runs.every((r) => r.ok) || sc.sustained !== undefined;
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    log(`FAILED: ${out.error}`);
    if (target) out.serverLogTail = target.logTail();
  } finally {
    abort.abort();
    await target?.stop();
  }
  return out;
}

/** Scenario-specific comparison lines: Chorus ÷ each peer, or the stepped maxima. */
function summarize(sc: Scenario, all: readonly TargetRuns[]): { lines: string[]; json: Record<string, unknown> } {
  const lines: string[] = [];
  const json: Record<string, unknown> = {};
  const first = (t: TargetName) => all.find((x) => x.target === t)?.runs[0];
  if (sc.sustained) {
    const ingest = sc.name.startsWith("ingest");
    const figure = (r: LoadResult) => (ingest ? (r.publish?.acksPerSec ?? Number.NaN) : r.deliveriesPerSec);
    const best: Record<string, number | null> = {};
    for (const t of all) {
      const b = bestSustained(t.runs, sc.sustained, figure);
      best[t.target] = b ? figure(b) : null;
      lines.push(
        `${t.label}: highest sustained ${ingest ? "acks/s" : "deliveries/s"} ${b ? int(figure(b)) : "none"}` +
          (b ? ` (at ${b.label.split(" @ ")[1] ?? ""})` : ""),
      );
    }
    const ceiling = best["ws-ceiling"];
    if (ceiling) {
      for (const t of all) {
        const v = best[t.target];
        if (v && t.target !== "ws-ceiling") lines.push(`${t.label} ÷ ceiling: ${fmt(ratio(v, ceiling), 2)}`);
      }
    }
    json["highestSustained"] = best;
  } else if (sc.name === "slow") {
    const runs = all.find((t) => t.target === "chorus")?.runs ?? all[0]?.runs ?? [];
    const [without, withSlow] = runs;
    if (without && withSlow) {
      const r = ratio(withSlow.latency.p99, without.latency.p99);
      lines.push(
        `fast subscribers' p99 with 10% slow readers ÷ without: ${fmt(r, 2)} ` +
          `(${fmt(withSlow.latency.p99, 1)} vs ${fmt(without.latency.p99, 1)} ms); slow readers reconnected ` +
          `${int(withSlow.slow?.reconnects)} times, seq gaps ${int(withSlow.slow?.counts.seqGaps)}`,
      );
      json["fastP99Ratio"] = r;
    }
  } else if (sc.name === "idle") {
    for (const t of all) {
      const r = t.runs[0];
      if (r) {
        lines.push(
          `${t.label}: ${int(r.idle?.rssPerConnectionBytes)} bytes of server RSS per connection, ` +
            `${int(r.subscribers.connectsPerSec)} connects/s`,
        );
      }
    }
  } else {
    const chorus = first("chorus");
    const ratios: Record<string, { deliveriesPerSec: number; p99: number }> = {};
    for (const t of all) {
      const peer = t.runs[0];
      if (!chorus || !peer || t.target === "chorus" || t.target === "chorus-cluster") continue;
      ratios[t.target] = {
        deliveriesPerSec: ratio(chorus.deliveriesPerSec, peer.deliveriesPerSec),
        p99: ratio(chorus.latency.p99, peer.latency.p99),
      };
      lines.push(
        `Chorus ÷ ${t.label}: deliveries/s ×${fmt(ratios[t.target]?.deliveriesPerSec, 2)} (higher is better), ` +
          `p99 ×${fmt(ratios[t.target]?.p99, 2)} (lower is better)`,
      );
    }
    json["ratios"] = ratios;
  }
  return { lines, json };
}

/** What actually ran, after the command-line overrides (the description gives the defaults). */
function effective(sc: Scenario): string {
  const o = sc.runs[0]?.options;
  if (!o) return "";
  const rates = sc.runs.map((r) => r.options.rate);
  return (
    `ran: ${o.subscribers} subscriber(s), ${o.channels} channel(s), ${o.publishers} ${o.publishVia} publisher(s), ` +
    `${rates.length > 1 ? `${rates.join("/")} msg/s stepped` : `${o.rate} msg/s`}${o.idle ? " (idle: none sent)" : ""}, ` +
    `${o.durationSec} s${rates.length > 1 ? " per step" : ""}, ${o.size}-char texts, ${o.workers} worker(s)`
  );
}

/** One row per step of a stepped scenario; the full figures are in the JSON line. */
function renderSteps(sc: Scenario, all: readonly TargetRuns[]): string {
  const ok = sc.sustained ?? (() => true);
  const rows: string[][] = [
    ["target", "step", "deliveries/s", "acks/s", "p99 (ms)", "ack p99 (ms)", "lost", "late", "unanswered", "sustained"],
  ];
  for (const t of all) {
    for (const r of t.runs) {
      rows.push([
        t.target,
        r.label.split(" @ ")[1] ?? "",
        int(r.deliveriesPerSec),
        int(r.publish?.acksPerSec),
        fmt(r.latency.p99, 1),
        fmt(r.publish?.ack.p99, 1),
        int(r.counts.lost),
        int(r.counts.late),
        int(r.publish?.unanswered),
        ok(r) ? "yes" : r.ok ? "no" : `FAILED: ${r.error ?? ""}`,
      ]);
    }
  }
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < 2 || c === 9 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(rows[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

async function main(): Promise<void> {
  installExitHandlers("bench");
  let o: BenchOptions | undefined;
  try {
    o = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n\n${BENCH_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (o === undefined) {
    process.stdout.write(BENCH_USAGE);
    return;
  }
  const cpus = Math.min(8, Math.max(1, availableParallelism()));
  const sc = makeScenario(o.scenario, cpus, o.overrides);
  const targets = o.targets ?? sc.defaultTargets;
  process.stderr.write(`scenario ${sc.name}: ${sc.description}\n`);
  const all: TargetRuns[] = [];
  for (const [i, name] of targets.entries()) {
    if (i > 0) await sleep(PAUSE_BETWEEN_TARGETS_MS);
    all.push(await runTarget(name, sc, o));
  }
  const summary = summarize(sc, all);
  if (!o.jsonOnly) {
    const results = all.flatMap((t) => t.runs);
    // Stepped scenarios would give one wide column per step: a row per step reads better.
    const table = sc.sustained ? renderSteps(sc, all) : renderResults(results);
    const out = [`scenario ${sc.name}: ${sc.description}`, effective(sc), "", table];
    for (const t of all) {
      if (t.error) out.push("", `${t.label}: FAILED: ${t.error}`);
      if (t.serverLogTail && t.serverLogTail.length > 0) {
        out.push(`${t.label} server output (last lines):`, ...t.serverLogTail.slice(-10).map((l) => `    ${l}`));
      }
    }
    if (summary.lines.length > 0) out.push("", ...summary.lines);
    process.stdout.write(`\n${out.join("\n")}\n\n`);
  }
  process.stdout.write(
    `${toJsonLine({
      bench: sc.name,
      date: new Date().toISOString(),
      node: process.version,
      nproc: availableParallelism(),
      commit: gitDescribe(),
      overrides: o.overrides,
      targets: all,
      summary: summary.json,
    })}\n`,
  );
  process.exitCode = all.every((t) => t.ok) ? 0 : 1;
}

await main();
