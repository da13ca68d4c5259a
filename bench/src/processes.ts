/**
 * Child-process plumbing: every server and worker the load generator or the benchmark starts is registered here
 * and killed when the benchmark exits, however it exits (normal end, error, Ctrl-C,
 * SIGTERM). Only loopback addresses are ever used.
 */
import { type ChildProcess, execFileSync, fork, type Serializable, type SpawnOptions, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const LOOPBACK = "127.0.0.1";

/** The repository root (cwd of every child). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const children = new Set<ChildProcess>();
const exitTasks = new Set<() => void>();
let handlersInstalled = false;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** SIGKILLs every child still running; returns a promise that settles once they are gone. */
function killChildren(): Promise<void> {
  const dying = [...children].filter(isRunning);
  for (const child of dying) child.kill("SIGKILL");
  children.clear();
  return Promise.all(dying.map((child) => new Promise<void>((r) => child.once("exit", () => r())))).then(
    () => undefined,
  );
}

function runExitTasks(): void {
  for (const task of exitTasks) {
    try {
      task();
    } catch {
      // Best effort: exiting anyway.
    }
  }
  exitTasks.clear();
}

/**
 * Registers synchronous cleanup (say, removing a temp dir) to run if the benchmark exits
 * before the owner did it; returns the function that unregisters it.
 */
export function onExit(task: () => void): () => void {
  exitTasks.add(task);
  return () => exitTasks.delete(task);
}

/**
 * Kills the children, waits (briefly) until they are really gone — a server still flushing
 * its data directory would recreate files behind the cleanup — then cleans up and exits.
 */
async function killChildrenAndExit(code: number): Promise<never> {
  await Promise.race([killChildren(), sleep(3_000)]);
  runExitTasks();
  process.exit(code);
}

/** Installs the exit hooks once: children die with the benchmark. */
export function installExitHandlers(name = "bench"): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort on a plain exit: no waiting possible here.
  process.on("exit", () => {
    void killChildren();
    runExitTasks();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${name}: ${signal}, stopping children\n`);
      void killChildrenAndExit(130);
    });
  }
  process.on("uncaughtException", (err) => {
    process.stderr.write(`${name}: uncaught ${err.stack ?? String(err)}\n`);
    void killChildrenAndExit(1);
  });
  process.on("unhandledRejection", (err) => {
    process.stderr.write(
      `${name}: unhandled rejection ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    void killChildrenAndExit(1);
  });
}

/** Spawns a plain process (no IPC). */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return track(spawn(command, args, { cwd: ROOT, ...options }));
}

/** Forks a TypeScript module with an IPC channel, loading it through tsx. */
export function forkTs(modulePath: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return track(
    fork(modulePath, [], {
      cwd: ROOT,
      env,
      // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the load generator itself.
      execArgv: [
        ...(process.env["BENCH_WORKER_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== ""),
        "--import",
        "tsx",
      ],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    }),
  );
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves once the child has exited, or after `ms`, whichever comes first. */
export function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolveWait) => {
    const timer = setTimeout(resolveWait, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveWait();
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}

/** Sends over IPC if the channel is still open; never throws. */
export function sendIpc(child: ChildProcess, message: Serializable): void {
  // The callback swallows EPIPE from a child that is already gone.
  if (child.connected) child.send(message, () => undefined);
}

/** A free TCP port on the loopback interface (released before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error("no port assigned"))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `url` until it answers 200. Rejects after `timeoutMs`, when `signal` aborts, or as
 * soon as `child` exits (a server that crashes at start should not cost the whole timeout).
 */
export async function waitForHttpOk(
  url: string,
  timeoutMs: number,
  child: ChildProcess,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    if (!isRunning(child)) throw new Error(`server exited (code ${child.exitCode}, signal ${child.signalCode})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/** Keeps the last `max` lines a child printed on stdout/stderr. */
export function captureOutput(child: ChildProcess, max = 60): () => string[] {
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (lines.length > max) lines.shift();
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return () => [...lines];
}

/** USER_HZ, the unit of /proc/<pid>/stat times; 100 on every mainstream Linux build. */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine has spent running processes (user, nice, system) or stolen
 * by the hypervisor, summed over all CPUs, from /proc/stat; undefined elsewhere. Interrupt
 * time is left out: loopback traffic of the benchmark itself lands there. Minus what the
 * benchmark's own processes used, it tells whether something else competed for the CPUs.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
    // user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    const [user = 0, nice = 0, system = 0, , , , , steal = 0] = fields;
    return (user + nice + system + steal) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** The commit measured (`<sha>` or `<sha>-dirty`), or null outside a git checkout. */
export function gitDescribe(): string | null {
  try {
    const run = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", timeout: 5_000 }).trim();
    const sha = run(["rev-parse", "--short", "HEAD"]);
    return run(["status", "--porcelain", "--untracked-files=no"]) === "" ? sha : `${sha}-dirty`;
  } catch {
    return null;
  }
}
