/**
 * A private redis-server for a test file: its own port and directory, so tests can restart,
 * flush or kill it without touching anyone else's Redis. Needs the `redis-server` binary
 * (Debian's package; CI installs it). `available()` says whether it is there.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestRedis {
  url: string;
  port: number;
  /** Graceful stop (SHUTDOWN; with AOF everything acknowledged is on disk). */
  stop(): Promise<void>;
  /** `kill -9`, as a crash would: with AOF and appendfsync always, nothing acknowledged is lost. */
  kill(): Promise<void>;
  readonly running: boolean;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Deletes every key (a Redis that came back empty). */
  flush(): Promise<void>;
  dispose(): Promise<void>;
}

/** Every redis-server still running, killed if the test process exits without dispose(). */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function redisServerAvailable(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    console.warn("\n!!! redis-server not found: Redis tests are SKIPPED (apt-get install redis-server) !!!\n");
    return false;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startTestRedis(options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "chorus-redis-"));
  let child: ChildProcess | null = null;
  const cli = (...args: string[]) =>
    execFileSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });

  const start = async () => {
    if (child) return;
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        options.appendonly ? "yes" : "no",
        "--appendfsync",
        "always",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    );
    const started = child;
    running.add(started);
    started.once("exit", () => {
      running.delete(started);
      if (child === started) child = null;
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if (cli("ping").trim() === "PONG") return;
      } catch {
        // not up yet
      }
      if (child !== started) throw new Error("redis-server exited during start");
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const current = child;
    if (!current) return;
    child = null;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    try {
      cli("shutdown", options.appendonly ? "save" : "nosave");
    } catch {
      current.kill("SIGKILL");
    }
    await exited;
  };
  const kill = async () => {
    const current = child;
    if (!current) return;
    child = null;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return child !== null;
    },
    start,
    stop,
    kill,
    restart: async () => {
      await stop();
      await start();
    },
    flush: async () => {
      cli("flushall");
    },
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
