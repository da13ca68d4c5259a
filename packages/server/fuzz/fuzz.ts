/**
 * `npm run fuzz`: the nightly fuzzer (README.md beside this file). A million cases by default,
 * shared among the targets by weight; prints each target's cases and rate, and for a failure
 * the counterexample with the command that replays it; exits 1 when any property failed.
 *
 *   npm run fuzz -- [--cases N] [--seed S] [--target NAME[,NAME…]] [--path P] [--list]
 */
import { parseArgs } from "node:util";
import { runTarget, type TargetResult } from "./runner.js";
import { shares, TARGETS } from "./targets/index.js";

const DEFAULT_CASES = 1_000_000;

function usage(problem?: string): never {
  if (problem) console.error(`fuzz: ${problem}`);
  console.error(
    [
      "usage: npm run fuzz -- [--cases N] [--seed S] [--target NAME[,NAME…]] [--path P] [--list]",
      `  --cases N   cases in all, shared by the targets' weights (default ${DEFAULT_CASES.toLocaleString("en")})`,
      "  --seed S    fast-check seed (default: random, printed)",
      "  --target    run only these targets (all of --cases goes to them)",
      "  --path P    replay the counterexample path a failure printed (one target, with its seed)",
      "  --list      the targets and their shares",
    ].join("\n"),
  );
  process.exit(problem ? 2 : 0);
}

const rate = (r: TargetResult) => Math.round(r.cases / Math.max(r.ms / 1000, 0.001));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string" },
      seed: { type: "string" },
      target: { type: "string", multiple: true },
      path: { type: "string" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) usage();
  const total = values.cases === undefined ? DEFAULT_CASES : Number(values.cases.replaceAll("_", ""));
  if (!Number.isSafeInteger(total) || total < 1) usage(`--cases must be a positive integer, not ${values.cases}`);
  const seed = values.seed === undefined ? (Math.random() * 2 ** 31) | 0 : Number(values.seed);
  if (!Number.isInteger(seed)) usage(`--seed must be an integer, not ${values.seed}`);
  const names = (values.target ?? []).flatMap((t) => t.split(",")).filter((t) => t.length > 0);
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0)
    usage(`unknown target ${unknown.join(", ")} (targets: ${TARGETS.map((t) => t.name).join(", ")})`);
  const selected = names.length === 0 ? TARGETS : TARGETS.filter((t) => names.includes(t.name));
  if (values.path !== undefined && selected.length !== 1) usage("--path replays one target: name it with --target");
  const plan = shares(selected, total);

  if (values.list) {
    for (const [t, n] of plan) console.log(`${t.name.padEnd(14)} ${n.toLocaleString("en").padStart(10)}  ${t.summary}`);
    return;
  }

  console.log(`fuzz: ${total.toLocaleString("en")} cases, seed ${seed}${values.path ? `, path ${values.path}` : ""}`);
  let current = "";
  const crashed = (error: unknown) => {
    console.error(`\nfuzz: the process failed while running ${current} (seed ${seed}):`, error);
    process.exit(1);
  };
  process.on("uncaughtException", crashed);
  process.on("unhandledRejection", crashed);

  const results: TargetResult[] = [];
  for (const [target, numRuns] of plan) {
    current = target.name;
    console.log(`\n${target.name}: ${numRuns.toLocaleString("en")} cases — ${target.summary}`);
    const result = await runTarget(target, {
      numRuns,
      seed,
      path: values.path,
      onProgress: (done) =>
        console.log(`  ${target.name}: ${done.toLocaleString("en")} / ${numRuns.toLocaleString("en")}`),
    });
    results.push(result);
    console.log(
      `  ${result.failure ? "FAILED" : "ok"}: ${result.cases.toLocaleString("en")} cases in ${(result.ms / 1000).toFixed(1)} s, ${rate(result).toLocaleString("en")}/s`,
    );
    if (result.stats) console.log(`  ${result.stats}`);
    if (result.failure) {
      const f = result.failure;
      console.log(`  counterexample (after ${f.shrinks} shrinks): ${f.counterexample}`);
      console.log(`  error: ${f.error.split("\n").join("\n    ")}`);
      console.log(
        `  replay: npm run fuzz -- --target ${target.name} --seed ${f.seed}${f.path === null ? "" : ` --path ${f.path}`}`,
      );
    }
  }

  const cases = results.reduce((n, r) => n + r.cases, 0);
  const seconds = results.reduce((n, r) => n + r.ms, 0) / 1000;
  const failed = results.filter((r) => r.failure);
  console.log(`\nfuzz: ${cases.toLocaleString("en")} cases in ${seconds.toFixed(1)} s (seed ${seed})`);
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(14)} ${r.cases.toLocaleString("en").padStart(10)} cases ${rate(r).toLocaleString("en").padStart(8)}/s  ${r.failure ? "FAILED" : "ok"}`,
    );
  }
  if (failed.length > 0) {
    console.log(`fuzz: ${failed.length} target(s) failed: ${failed.map((r) => r.name).join(", ")}`);
    process.exit(1);
  }
  // The server's timers (connectors' retries, analysis) would keep the process alive.
  process.exit(0);
}

await main();
