/**
 * Fan-out benchmark: N WebSocket subscribers in one channel, one publisher at a fixed
 * open-loop rate, the same load against each target in turn (Chorus embedded, then a
 * socket.io 4 peer). Reports deliveries/s, end-to-end latency (receive time minus the send
 * time embedded in the text), losses, duplicates and seq gaps, as a table and one JSON line.
 *
 * Process layout, so that no measurement shares an event loop with what it measures:
 *
 *   fanout.ts (this process: orchestration + publisher)
 *     ├─ target server (child process, see targets/*.ts)
 *     └─ subscriber workers × W (child processes, subscriber-worker.ts)
 *
 * Per target: start the server, fork the workers, ramp the connects, wait until everyone is
 * subscribed, publish for the duration, wait the drain period, collect and merge, stop
 * everything. Each target runs under a hard time limit, and every child is killed when this
 * process exits, however it exits. Usage: `npm run bench -- --help`.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { type Options, parseOptions, USAGE, UsageError } from "./options.js";
import { WorkerPool } from "./pool.js";
import { installExitHandlers, machineBusySeconds, processCpuSeconds, ROOT, sleep } from "./processes.js";
import { OpenLoopPublisher } from "./publisher.js";
import { computeRatios, renderJson, renderTable, type TargetResult } from "./report.js";
import { LatencyHistogram, summarizeHistogram } from "./stats.js";
import { TARGETS } from "./targets/index.js";
import type { Publisher, RunningTarget, TargetDefinition } from "./targets/types.js";
import { addCounts, emptyCounts } from "./tracker.js";

/** One subscriber's own limit for connecting and subscribing. */
const SUBSCRIBE_TIMEOUT_MS = 15_000;
const COLLECT_TIMEOUT_MS = 30_000;
const PAUSE_BETWEEN_TARGETS_MS = 2_000;
/** Above this much CPU used by other processes (% of one core), a measurement is flagged. */
const NOISY_MACHINE_PCT = 20;

interface RunState {
  /** Aborted when the run hits its time limit: nothing new is started after that. */
  signal: AbortSignal;
  starting?: Promise<RunningTarget>;
  target?: RunningTarget;
  pool?: WorkerPool;
  publisher?: Publisher;
  open?: OpenLoopPublisher;
  result: TargetResult;
}

function emptyResult(def: TargetDefinition, o: Options): TargetResult {
  return {
    target: def.name,
    label: def.label,
    ok: false,
    subscribers: { requested: o.subscribers, subscribed: 0, failed: 0, failures: {} },
    connectSec: Number.NaN,
    deliveries: 0,
    expectedDeliveries: 0,
    deliveriesPerSec: Number.NaN,
    latency: summarizeHistogram(new LatencyHistogram()),
    negativeLatencies: 0,
    counts: emptyCounts(),
    problems: {},
    strays: 0,
    cpu: {
      windowSec: Number.NaN,
      serverPct: Number.NaN,
      workersPct: Number.NaN,
      publisherPct: Number.NaN,
      otherPct: Number.NaN,
    },
  };
}

async function measure(def: TargetDefinition, o: Options, state: RunState, log: (msg: string) => void): Promise<void> {
  const result = state.result;
  const { signal } = state;
  log("starting server");
  state.starting = def.start(signal);
  const target = await state.starting;
  state.target = target;
  signal.throwIfAborted();

  const pool = WorkerPool.start(o.workers);
  state.pool = pool;
  const total = Math.round(o.rate * o.durationSec);
  log(`connecting ${o.subscribers} subscribers at ${o.connectRate}/s over ${o.workers} worker(s)`);
  const connectStart = performance.now();
  const ready = await pool.connect(
    {
      spec: target.client,
      subscribers: o.subscribers,
      connectRate: o.connectRate,
      connectTimeoutMs: SUBSCRIBE_TIMEOUT_MS,
      expectedMessages: total,
    },
    Math.ceil((2 * o.subscribers * 1000) / o.connectRate) + SUBSCRIBE_TIMEOUT_MS + 30_000,
    (subscribed, failed) => log(`  ${subscribed} subscribed, ${failed} failed`),
  );
  signal.throwIfAborted();
  result.connectSec = (performance.now() - connectStart) / 1000;
  result.subscribers = { requested: o.subscribers, ...ready };
  log(`${ready.subscribed} subscribed (${ready.failed} failed) in ${result.connectSec.toFixed(1)} s`);
  if (ready.subscribed === 0) throw new Error("no subscriber could subscribe");

  const publisher = await target.connectPublisher();
  state.publisher = publisher;
  signal.throwIfAborted();
  await sleep(o.settleSec * 1000);
  signal.throwIfAborted();

  const serverPids = target.pids ?? [target.pid];
  const serverCpu0 = sumCpu(serverPids);
  const machine0 = machineBusySeconds();
  const self0 = process.cpuUsage();
  const window0 = performance.now();
  pool.measure();
  const open = new OpenLoopPublisher(publisher, { rate: o.rate, total, size: o.size });
  state.open = open;
  log(`publishing ${total} messages at ${o.rate}/s`);
  await open.run();
  log(`published; draining ${o.drainSec} s (${open.outstanding()} acks outstanding)`);
  await sleep(o.drainSec * 1000);

  const publish = open.report();
  const serverCpu1 = sumCpu(serverPids);
  const machine1 = machineBusySeconds();
  const self = process.cpuUsage(self0);
  const windowSec = (performance.now() - window0) / 1000;
  const workers = await pool.collect(publish.acknowledged, publish.finalSeq, COLLECT_TIMEOUT_MS);

  const histogram = new LatencyHistogram();
  const counts = emptyCounts();
  const problems: Record<string, number> = {};
  let lastReceiveMs = 0;
  let workerCpu = 0;
  for (const w of workers) {
    histogram.merge(w.histogram);
    addCounts(counts, w.counts);
    for (const [kind, n] of Object.entries(w.problems)) problems[kind] = (problems[kind] ?? 0) + n;
    lastReceiveMs = Math.max(lastReceiveMs, w.lastReceiveMs);
    result.strays += w.strays;
    workerCpu += w.cpuSeconds;
  }
  const { acknowledged: _, ...publishSummary } = publish;
  result.publish = publishSummary;
  result.deliveries = histogram.count;
  result.expectedDeliveries = publish.acked * ready.subscribed;
  const spanSec = (lastReceiveMs - publish.firstSendMs) / 1000;
  result.deliveriesPerSec = spanSec > 0 ? histogram.count / spanSec : Number.NaN;
  result.latency = summarizeHistogram(histogram);
  result.negativeLatencies = histogram.negatives;
  result.counts = counts;
  result.problems = problems;
  const serverSec = serverCpu0 !== undefined && serverCpu1 !== undefined ? serverCpu1 - serverCpu0 : Number.NaN;
  const selfSec = (self.user + self.system) / 1e6;
  const otherSec =
    machine0 !== undefined && machine1 !== undefined
      ? machine1 - machine0 - serverSec - workerCpu - selfSec
      : Number.NaN;
  result.cpu = {
    windowSec,
    serverPct: (serverSec / windowSec) * 100,
    workersPct: (workerCpu / windowSec) * 100,
    publisherPct: (selfSec / windowSec) * 100,
    otherPct: Math.max(0, (otherSec / windowSec) * 100),
  };
  if (result.cpu.otherPct > NOISY_MACHINE_PCT) {
    log(`WARNING: other processes used ${result.cpu.otherPct.toFixed(0)}% of a core during the measurement`);
  }
  result.ok = true;
  const suspicious =
    counts.lost > 0 ||
    counts.late > 0 ||
    counts.duplicates > 0 ||
    counts.seqGaps > 0 ||
    counts.seqDuplicates > 0 ||
    publish.rejected > 0 ||
    publish.unanswered > 0 ||
    Object.keys(problems).length > 0;
  if (suspicious) result.serverLogTail = target.logTail();
  log(
    `done: ${histogram.count} deliveries, p99 ${result.latency.p99.toFixed(2)} ms, lost ${counts.lost}, ` +
      `late ${counts.late}, duplicates ${counts.duplicates}`,
  );
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

async function runTarget(def: TargetDefinition, o: Options): Promise<TargetResult> {
  const log = (msg: string) => process.stderr.write(`[${def.name}] ${msg}\n`);
  await waitForQuietMachine(o.waitIdleSec, log);
  const abort = new AbortController();
  const state: RunState = { signal: abort.signal, result: emptyResult(def, o) };
  let timer: NodeJS.Timeout | undefined;
  const hardLimit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hard time limit of ${o.timeoutSec} s reached`)), o.timeoutSec * 1000);
  });
  try {
    await Promise.race([measure(def, o, state, log), hardLimit]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`FAILED: ${message}`);
    state.result.ok = false;
    state.result.error = message;
    if (state.target) state.result.serverLogTail = state.target.logTail();
  } finally {
    clearTimeout(timer);
    abort.abort();
    state.open?.abort();
    state.publisher?.close();
    await state.pool?.stop();
    // A start still in flight honours the abort; one that had just succeeded is stopped here.
    const target = state.target ?? (await state.starting?.catch(() => undefined));
    await target?.stop();
  }
  return state.result;
}

/** The commit measured (`<sha>` or `<sha>-dirty`), or null outside a git checkout. */
function gitDescribe(): string | null {
  try {
    const run = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", timeout: 5_000 }).trim();
    const sha = run(["rev-parse", "--short", "HEAD"]);
    return run(["status", "--porcelain", "--untracked-files=no"]) === "" ? sha : `${sha}-dirty`;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  installExitHandlers();
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`fanout: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const results: TargetResult[] = [];
  for (const [i, name] of options.targets.entries()) {
    if (i > 0) await sleep(PAUSE_BETWEEN_TARGETS_MS);
    results.push(await runTarget(TARGETS[name], options));
  }
  const ratios = computeRatios(results);
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    nproc: availableParallelism(),
    commit: gitDescribe(),
  };
  if (!options.jsonOnly) process.stdout.write(`\n${renderTable(options, results, ratios, meta.nproc)}\n\n`);
  process.stdout.write(`${renderJson(meta, options, results, ratios)}\n`);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

await main();

/** CPU seconds of several processes (a cluster's nodes), undefined if any cannot be read. */
function sumCpu(pids: readonly number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const seconds = processCpuSeconds(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}
