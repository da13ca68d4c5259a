/**
 * A private PostgreSQL server for one test file — its own data directory, port and process
 * group — so a test can crash it (`kill -9` of every PostgreSQL process, as a machine or OOM
 * kill would) and start it again without touching the shared server other tests use.
 *
 * Needs the server binaries (`initdb`, `postgres`) of a Debian/Ubuntu PostgreSQL package, or
 * PG_BIN pointing at them. PostgreSQL refuses to run as root, so under root the processes are
 * started as the `postgres` OS user (uid/gid from /etc/passwd). `privatePostgresAvailable()`
 * says why not when it cannot run.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./redis-server.js";

export interface PrivatePostgres {
  /** URL of the `chorus` database (trust auth, user postgres). */
  url: string;
  port: number;
  readonly running: boolean;
  /** SIGKILL to the whole process group: no checkpoint, crash recovery at the next start. */
  kill(): Promise<void>;
  /** Starts the server on the same port and data directory; resolves once it takes queries. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** Process groups still running, killed if the test process exits without dispose(). */
const groups = new Set<number>();
process.once("exit", () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

function binDir(): string | null {
  const fromEnv = process.env["PG_BIN"];
  if (fromEnv !== undefined) return existsSync(path.join(fromEnv, "initdb")) ? fromEnv : null;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : path.join(root, versions[0], "bin");
}

/** uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) throw new Error("running as root and there is no postgres user");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Null when a private server can run here, else why not. */
export function privatePostgresUnavailableReason(): string | null {
  const bin = binDir();
  if (bin === null) return "no PostgreSQL server binaries (initdb) under /usr/lib/postgresql or PG_BIN";
  try {
    runAs();
  } catch (error) {
    return (error as Error).message;
  }
  return null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (bin === null) throw new Error("no PostgreSQL binaries");
  const user = runAs();
  const dir = await mkdtemp(path.join(tmpdir(), "chorus-pg-"));
  const data = path.join(dir, "data");
  if (user) await chown(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
    { ...asUser, stdio: "ignore", cwd: dir },
  );
  const port = await freePort();
  let child: ChildProcess | null = null;
  let lines: string[] = [];

  const start = async () => {
    if (child) return;
    lines = [];
    const proc = spawn(
      path.join(bin, "postgres"),
      [
        "-D",
        data,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `unix_socket_directories=${dir}`,
        // Only processes die in this test, never the machine: the page cache keeps every commit.
        "-c",
        "fsync=off",
        "-c",
        "max_connections=100",
      ],
      { ...asUser, cwd: dir, detached: true, stdio: ["ignore", "ignore", "pipe"] },
    );
    proc.stderr?.on("data", (chunk: Buffer) => {
      lines.push(chunk.toString("utf8"));
      if (lines.length > 200) lines = lines.slice(-100);
    });
    child = proc;
    if (proc.pid !== undefined) groups.add(proc.pid);
    proc.once("exit", () => {
      if (child === proc) child = null;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.query("select 1");
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
      }
      if (child !== proc) throw new Error(`postgres exited during start:\n${lines.join("")}`);
      if (Date.now() > deadline) throw new Error(`postgres did not start within 20 s:\n${lines.join("")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async () => {
    const proc = child;
    if (!proc || proc.pid === undefined) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    // The whole group: the postmaster and every backend, so the restart finds no survivor
    // still attached to the old shared memory.
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      proc.kill("SIGKILL");
    }
    await exited;
    child = null;
    // Backends are reaped by init, not by us: wait until none is left in the group.
    const deadline = Date.now() + 5_000;
    while (groupAlive(proc.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    groups.delete(proc.pid);
  };

  await start();
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  await admin.connect();
  await admin.query("create database chorus");
  await admin.end();

  return {
    url: `postgres://postgres@127.0.0.1:${port}/chorus`,
    port,
    get running() {
      return child !== null;
    },
    kill,
    start,
    dispose: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
