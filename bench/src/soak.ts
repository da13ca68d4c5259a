/**
 * `npm run soak`: one hour (by default) of the bench's steady load against one embedded
 * Chorus server, with connection churn, sampling the server's heap, RSS and event-loop
 * delay; prints a report, writes it as JSON and exits 1 on errors or (runs ≥ 30 min) on a
 * heap or RSS slope of 1 %/h or more. The work is in soak/*.ts (see soak/run.ts).
 * Usage: `npm run soak -- --help`. Not part of `npm test` (bench/test/soak.test.ts runs
 * the same code for half a minute at a tiny load).
 */
import { renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "./loadgen/options.js";
import { toJsonLine } from "./loadgen/report.js";
import { gitDescribe, installExitHandlers } from "./processes.js";
import { parseSoakOptions, SOAK_USAGE } from "./soak/options.js";
import { renderSoakReport, sampleLine } from "./soak/report.js";
import { runSoak } from "./soak/run.js";

/** Written to a temporary name first, so a crash mid-write never leaves half a report. */
function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${toJsonLine(value)}\n`);
  renameSync(tmp, path);
}

async function main(): Promise<void> {
  installExitHandlers("soak");
  let o: ReturnType<typeof parseSoakOptions>;
  try {
    o = parseSoakOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`soak: ${err.message}\n\n${SOAK_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (o === undefined) {
    process.stdout.write(SOAK_USAGE);
    return;
  }
  const { out: outFlag, ...options } = o;
  const out = outFlag ?? join(tmpdir(), `chorus-soak-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const commit = gitDescribe();
  process.stderr.write(`soak: ${options.minutes} min; the report goes to ${out}\n`);
  const report = await runSoak(options, {
    log: (message) => process.stderr.write(`soak: ${message}\n`),
    onSample: (sample, samples) => {
      process.stderr.write(`${sampleLine(sample, options.minutes)}\n`);
      // A soak that dies at minute 59 still leaves its samples behind.
      writeJson(out, { soak: "chorus", partial: true, commit, options, samples });
    },
  });
  writeJson(out, { ...report, commit });
  process.stdout.write(`\n${renderSoakReport(report)}\ncommit ${commit ?? "n/a"}; JSON report: ${out}\n`);
  process.exitCode = report.verdict.pass ? 0 : 1;
}

await main();
