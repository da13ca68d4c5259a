/**
 * Whether a contract run can happen here, and why not: a run that cannot is still listed in
 * the report, as skipped with its reason in its name, never silently left out.
 */
import { execFileSync } from "node:child_process";
import { describe } from "vitest";

/** Null when `redis-server` can be started for a test, else why not. */
export function redisSkipReason(): string | null {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return null;
  } catch {
    return "redis-server not installed";
  }
}

/** `describe`, or `describe.skip` with the reason appended to the title when `skip` is set. */
export function describeContract(title: string, skip: string | null, body: () => void): void {
  describe.skipIf(skip !== null)(skip === null ? title : `${title} (skipped: ${skip})`, body);
}
