/**
 * The error boundary (src/errors/): dependency failures are recognised by type from real
 * instances — provoked against a closed port, a port that never answers, a terminated
 * backend, a closed PGlite — or built with the library's own classes where an outage cannot
 * be staged (Redis LOADING); bugs and request errors are not. Then the one mapping to
 * `{code, message, status, retryAfterMs}` and its logging, and the HTTP adapter end to end.
 */

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer, type Server, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import Fastify from "fastify";
import { Redis, ReplyError } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BoundaryLogger, toClientError } from "../src/errors/boundary.js";
import { AppError, classifyDependencyFailure, isUnavailableError } from "../src/errors.js";
import { installErrorHandling } from "../src/http/errors.js";
import type { App } from "../src/http/services.js";
import { postgresAvailable } from "./contracts/pg.js";
import { freePort } from "./redis-server.js";

const pgUp = await postgresAvailable();
const PG_URL = process.env["TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected a rejection");
}

/** A TCP server that accepts connections and never says a word (a hung dependency). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class RecordingLogger implements BoundaryLogger {
  readonly lines: Array<{ level: "warn" | "error"; obj: object; msg: string }> = [];
  warn(obj: object, msg: string): void {
    this.lines.push({ level: "warn", obj, msg });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: "error", obj, msg });
  }
}

describe("classify: Redis (ioredis)", () => {
  let closedPort: number;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    closedPort = await freePort();
    silent = await silentServer();
  });
  afterAll(async () => {
    await silent.close();
  });

  const quiet = (redis: Redis) => {
    redis.on("error", () => undefined);
    return redis;
  };

  it("connect refused: the socket's ECONNREFUSED, then connect() rejects with a closed connection", async () => {
    const redis = new Redis({ port: closedPort, lazyConnect: true, retryStrategy: () => null });
    const emitted = new Promise<Error>((resolve) => redis.once("error", resolve));
    const rejected = await rejection(redis.connect());
    redis.disconnect();
    expect(classifyDependencyFailure(await emitted)).toEqual({ dependency: "network", reason: "ECONNREFUSED" });
    expect(classifyDependencyFailure(rejected)?.dependency).toBe("redis");
  });

  it("offline queue disabled while disconnected", async () => {
    const redis = quiet(new Redis({ port: closedPort, lazyConnect: true, enableOfflineQueue: false }));
    const error = await rejection(redis.get("k"));
    redis.disconnect();
    expect(error.message).toMatch(/Stream isn't writeable/);
    expect(classifyDependencyFailure(error)?.dependency).toBe("redis");
  });

  it("MaxRetriesPerRequestError (the 500 of issue 9)", async () => {
    const redis = quiet(
      new Redis({ port: closedPort, maxRetriesPerRequest: 0, retryStrategy: () => 50, connectTimeout: 200 }),
    );
    const error = await rejection(redis.get("k"));
    redis.disconnect();
    expect(error.name).toBe("MaxRetriesPerRequestError");
    expect(classifyDependencyFailure(error)).toEqual({ dependency: "redis", reason: "MaxRetriesPerRequestError" });
  });

  it("command timeout against a server that never answers", async () => {
    const redis = quiet(
      new Redis({ port: silent.port, commandTimeout: 100, enableReadyCheck: false, maxRetriesPerRequest: 0 }),
    );
    const error = await rejection(redis.get("k"));
    redis.disconnect();
    expect(error.message).toBe("Command timed out");
    expect(isUnavailableError(error)).toBe(true);
  });

  it("a closed connection", async () => {
    const redis = quiet(new Redis({ port: closedPort, lazyConnect: true, retryStrategy: () => null }));
    redis.disconnect();
    const error = await rejection(redis.get("k"));
    expect(error.message).toBe("Connection is closed.");
    expect(classifyDependencyFailure(error)?.dependency).toBe("redis");
  });

  it("reply errors: LOADING / BUSY / READONLY are outages, a wrong command is not", () => {
    const Reply = ReplyError as new (message: string) => Error;
    for (const text of ["LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script"]) {
      expect(classifyDependencyFailure(new Reply(text))?.dependency).toBe("redis");
    }
    expect(isUnavailableError(new Reply("READONLY You can't write against a read only replica."))).toBe(true);
    expect(isUnavailableError(new Reply("ERR unknown command 'NOPE'"))).toBe(false);
    expect(isUnavailableError(new Reply("NOGROUP No such key or consumer group"))).toBe(false);
    // A reply error that merely mentions an outage word is still the command's fault.
    expect(isUnavailableError(new Reply("ERR Connection is closed."))).toBe(false);
  });

  it("the redis-errors classes are the ones ioredis throws", () => {
    const ioredisRequire = createRequire(createRequire(import.meta.url).resolve("ioredis"));
    const { AbortError } = ioredisRequire("redis-errors") as { AbortError: new (m: string) => Error };
    expect(isUnavailableError(new AbortError("Command aborted due to connection close"))).toBe(true);
  });
});

describe.skipIf(!pgUp)(`classify: PostgreSQL (pg)${pgUp ? "" : " — SKIPPED: PostgreSQL not reachable"}`, () => {
  it("connect refused, pool connect timeout (wrapped, with cause)", async () => {
    const closedPort = await freePort();
    const client = new pg.Client({ host: "127.0.0.1", port: closedPort, user: "postgres" });
    const refused = await rejection(client.connect());
    expect(classifyDependencyFailure(refused)).toMatchObject({ dependency: "network", reason: "ECONNREFUSED" });

    const silent = await silentServer();
    const pool = new pg.Pool({ host: "127.0.0.1", port: silent.port, user: "postgres", connectionTimeoutMillis: 150 });
    const timedOut = await rejection(pool.query("select 1"));
    await pool.end();
    await silent.close();
    expect(timedOut.message).toMatch(/timeout/);
    expect(classifyDependencyFailure(timedOut)?.dependency).toBe("postgres");
  });

  it("a backend terminated by the server (57P01), then the dead client", async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    client.on("error", () => undefined);
    await client.connect();
    const terminated = await rejection(client.query("select pg_terminate_backend(pg_backend_pid())"));
    expect(terminated).toBeInstanceOf(pg.DatabaseError);
    expect(classifyDependencyFailure(terminated)).toEqual({ dependency: "postgres", reason: "sqlstate 57P01" });
    const after = await rejection(client.query("select 1"));
    expect(isUnavailableError(after)).toBe(true);
    await client.end().catch(() => undefined);
  });

  it("statement errors are not outages: syntax, division by zero; statement_timeout is", async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      expect(isUnavailableError(await rejection(client.query("selec 1")))).toBe(false);
      const divide = await rejection(client.query("select 1 / 0"));
      expect(divide).toBeInstanceOf(pg.DatabaseError);
      expect(isUnavailableError(divide)).toBe(false);
      await client.query("set statement_timeout = 50");
      const slow = await rejection(client.query("select pg_sleep(1)"));
      expect(classifyDependencyFailure(slow)).toEqual({ dependency: "postgres", reason: "sqlstate 57014" });
    } finally {
      await client.end();
    }
  });
});

describe("classify: PGlite, Node, bugs", () => {
  // PGlite takes seconds to open (its WASM), more on a busy machine.
  it("PGlite: a closed database is an outage, a bad statement is not", async () => {
    const db = await PGlite.create();
    const syntax = await rejection(db.query("selec 1"));
    expect((syntax as { code?: string }).code).toBe("42601");
    expect(isUnavailableError(syntax)).toBe(false);
    await db.close();
    const closed = await rejection(db.query("select 1"));
    expect(classifyDependencyFailure(closed)?.dependency).toBe("store");
  }, 60_000);

  it("system errors count only for network and disk failures", async () => {
    const missing = await rejection(readFile("/nonexistent/chorus"));
    expect((missing as { syscall?: string }).syscall).toBe("open");
    expect(isUnavailableError(missing)).toBe(false);
    // A library error that borrows a network-looking code without a syscall is not one.
    expect(isUnavailableError(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBe(false);
  });

  it("bugs, AppErrors and look-alike messages are not dependency failures", () => {
    expect(isUnavailableError(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isUnavailableError(new AppError("unavailable", "x"))).toBe(false);
    expect(isUnavailableError("Connection is closed.")).toBe(false);
    class Custom extends Error {}
    expect(isUnavailableError(new Custom("Connection is closed."))).toBe(false);
    expect(isUnavailableError(new Error("Connection is closed. And more"))).toBe(false);
  });

  it("follows causes and aggregates", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", syscall: "connect" });
    expect(isUnavailableError(new Error("wrapped", { cause: refused }))).toBe(true);
    expect(isUnavailableError(new AggregateError([new Error("a"), refused]))).toBe(true);
    expect(isUnavailableError(new AggregateError([new Error("a")]))).toBe(false);
  });
});

describe("boundary: one mapping", () => {
  const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", syscall: "connect" });

  it("AppError as thrown; an unavailable one gets a retry hint", () => {
    const log = new RecordingLogger();
    expect(toClientError(new AppError("rate_limited", "slow down", 1234), log)).toEqual({
      code: "rate_limited",
      message: "slow down",
      status: 429,
      retryAfterMs: 1234,
    });
    expect(toClientError(new AppError("not_found", "channel not found"), log)).toEqual({
      code: "not_found",
      message: "channel not found",
      status: 404,
    });
    expect(toClientError(new AppError("unavailable", "later"), log).retryAfterMs).toBeGreaterThan(0);
    expect(log.lines).toEqual([]);
  });

  it("dependency failures → 503 unavailable with a hint, one warn per reason per interval", () => {
    const log = new RecordingLogger();
    const reason = Object.assign(new Error("x"), { code: "EHOSTUNREACH", syscall: "connect" });
    for (let i = 0; i < 50; i++) {
      const e = toClientError(i % 2 === 0 ? reason : refused(), log, { op: "send" });
      expect(e).toMatchObject({ code: "unavailable", status: 503 });
      expect(e.retryAfterMs).toBeGreaterThan(0);
    }
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
    const warns = log.lines.filter((l) => l.level === "warn");
    expect(warns.map((w) => (w.obj as { reason: string }).reason).sort()).toEqual(["ECONNREFUSED", "EHOSTUNREACH"]);
  });

  it("anything else → 500 internal, logged at error with the error, no detail leaked", () => {
    const log = new RecordingLogger();
    const bug = new TypeError("secret detail");
    expect(toClientError(bug, log, { op: "send" })).toEqual({
      code: "internal",
      message: "internal error",
      status: 500,
    });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: "error", obj: { err: bug, op: "send" } });
  });
});

describe("HTTP adapter", () => {
  let app: App;
  let closedPort: number;
  beforeAll(async () => {
    closedPort = await freePort();
    app = Fastify({ logger: false }) as unknown as App;
    installErrorHandling(app);
    app.get("/redis-down", async () => {
      const redis = new Redis({ port: closedPort, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      redis.on("error", () => undefined);
      try {
        return await redis.get("k");
      } finally {
        redis.disconnect();
      }
    });
    app.get("/bug", async () => {
      throw new TypeError("boom");
    });
    app.get("/limited", async () => {
      throw new AppError("rate_limited", "slow down", 2_500);
    });
    app.post("/echo", async (request) => request.body);
  });
  afterAll(async () => {
    await app.close();
  });

  it("a dependency failure is a 503 with Retry-After, never a 500", async () => {
    const res = await app.inject({ method: "GET", url: "/redis-down" });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: "unavailable" } });
    expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });

  it("bugs are 500 internal; AppErrors keep their code and hint; Fastify errors get ours", async () => {
    const bug = await app.inject({ method: "GET", url: "/bug" });
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toEqual({ error: { code: "internal", message: "internal error" } });
    const limited = await app.inject({ method: "GET", url: "/limited" });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: "rate_limited", message: "slow down", retryAfterMs: 2_500 } });
    expect(limited.headers["retry-after"]).toBe("3");
    const badJson = await app.inject({
      method: "POST",
      url: "/echo",
      payload: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ error: { code: "invalid_request" } });
  });
});
