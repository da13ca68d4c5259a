/**
 * Runs one target's cases with fast-check and reports what a replay needs: the seed, the
 * counterexample path and the (shrunk) counterexample. Used by fuzz.ts and by the bounded
 * test, so that the nightly run and `npm test` check exactly the same properties.
 */
import fc from "fast-check";

/** A property over generated values: `check` throws when a value breaks it. */
export interface Cases {
  readonly arbitrary: fc.Arbitrary<unknown>;
  readonly check: (value: unknown) => void | Promise<void>;
  readonly async: boolean;
  /** The value, readable in a report (defaults to fast-check's own rendering). */
  readonly describe?: (value: unknown) => string;
}

export function syncCases<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => void,
  describe?: (value: T) => string,
): Cases {
  return {
    arbitrary,
    check: check as (value: unknown) => void,
    async: false,
    describe: describe as ((value: unknown) => string) | undefined,
  };
}

export function asyncCases<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  describe?: (value: T) => string,
): Cases {
  return {
    arbitrary,
    check: check as (value: unknown) => Promise<void>,
    async: true,
    describe: describe as ((value: unknown) => string) | undefined,
  };
}

/** A target once set up (a server started, matchers compiled): its cases and how to tear it down. */
export interface OpenedTarget {
  readonly cases: Cases;
  close(): Promise<void>;
  /** A line about what the cases reached (statuses, accepted frames), printed after the run. */
  stats?(): string;
}

export interface Target {
  readonly name: string;
  /** What the target fuzzes, one line. */
  readonly summary: string;
  /** Its share of a run's cases, relative to the other targets' weights. */
  readonly weight: number;
  open(): Promise<OpenedTarget>;
}

export interface RunOptions {
  numRuns: number;
  seed: number;
  /** fast-check's counterexample path: replays that case (and shrinks it) instead of a fresh run. */
  path?: string | undefined;
  /** Called every few seconds with the cases run so far. */
  onProgress?: ((done: number) => void) | undefined;
}

export interface Failure {
  seed: number;
  path: string | null;
  counterexample: string;
  error: string;
  shrinks: number;
}

export interface TargetResult {
  name: string;
  cases: number;
  ms: number;
  failure: Failure | null;
}

const PROGRESS_EVERY_MS = 5_000;
const REPORT_MAX_CHARS = 4_000;

/** Long strings cut in the middle, so a 16 KiB frame still fits a report. */
export function shorten(value: unknown): string {
  const text = fc.stringify(value);
  return text.length > REPORT_MAX_CHARS
    ? `${text.slice(0, REPORT_MAX_CHARS / 2)} …(${text.length} chars)… ${text.slice(-REPORT_MAX_CHARS / 4)}`
    : text;
}

/** An error with its causes (fetch hides what failed in `cause`). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = error.stack ?? error.message;
  return error.cause === undefined ? own : `${own}\ncaused by: ${describeError(error.cause)}`;
}

export async function runCases(name: string, cases: Cases, options: RunOptions): Promise<TargetResult> {
  let done = 0;
  let lastReport = performance.now();
  const tick = (): void => {
    done++;
    if ((done & 255) === 0 && options.onProgress) {
      const now = performance.now();
      if (now - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = now;
        options.onProgress(done);
      }
    }
  };
  const parameters: fc.Parameters<[unknown]> = {
    numRuns: options.numRuns,
    seed: options.seed,
    ...(options.path === undefined ? {} : { path: options.path }),
  };
  const started = performance.now();
  const details = cases.async
    ? await fc.check(
        fc.asyncProperty(cases.arbitrary, async (value) => {
          tick();
          await cases.check(value);
        }),
        parameters,
      )
    : fc.check(
        fc.property(cases.arbitrary, (value) => {
          tick();
          cases.check(value);
        }),
        parameters,
      );
  const ms = performance.now() - started;
  if (!details.failed) return { name, cases: details.numRuns, ms, failure: null };
  const [value] = details.counterexample ?? [undefined];
  const error = details.errorInstance;
  return {
    name,
    cases: details.numRuns,
    ms,
    failure: {
      seed: details.seed,
      path: details.counterexamplePath,
      counterexample: cases.describe ? cases.describe(value) : shorten(value),
      error: describeError(error),
      shrinks: details.numShrinks,
    },
  };
}

/** One target, opened, run and closed. */
export async function runTarget(target: Target, options: RunOptions): Promise<TargetResult & { stats?: string }> {
  const opened = await target.open();
  try {
    const result = await runCases(target.name, opened.cases, options);
    return opened.stats ? { ...result, stats: opened.stats() } : result;
  } finally {
    await opened.close();
  }
}
