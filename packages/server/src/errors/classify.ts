/**
 * The one place that decides whether an error means "a dependency (Redis, PostgreSQL, PGlite,
 * the network, the disk) failed" — the caller should retry later (503 `unavailable`) — or
 * "this server has a bug" (500 `internal`). Everything is recognised by the error's type
 * (class, SQLSTATE, Redis error code, Node system error code); the few failures that a
 * library signals only by a plain `Error` and its text are in `plain-error-messages.ts`.
 */
import { createRequire } from "node:module";
import { protocol as pglite } from "@electric-sql/pglite";
import pg from "pg";
import { AppError } from "./app-error.js";
import { plainErrorDependency } from "./plain-error-messages.js";

export type Dependency = "redis" | "postgres" | "network" | "disk" | "store";

export interface DependencyFailure {
  dependency: Dependency;
  /** A short stable reason for logs and metrics (an error code or class name), never user text. */
  reason: string;
}

/** Typed loosely on purpose: narrowing an `Error` by a class whose instances are plain `Error`s would leave `never`. */
type ErrorClass = abstract new (...args: never[]) => object;

/**
 * ioredis rejects with the classes of `redis-errors` but re-exports only `ReplyError`; taken
 * from ioredis's own resolution so that `instanceof` sees the very classes it throws.
 * `AbortError` covers `MaxRetriesPerRequestError` and "Command aborted due to connection close".
 */
const redisErrors = createRequire(createRequire(import.meta.url).resolve("ioredis"))("redis-errors") as {
  RedisError: ErrorClass;
  ReplyError: ErrorClass;
  AbortError: ErrorClass;
};

/**
 * Redis error replies whose code (the first word, as the protocol defines it) says the server
 * cannot serve right now, not that the command was wrong: loading its dataset after a restart,
 * busy in a script, a replica without its master, a failover in progress, out of memory, or
 * unable to persist (MISCONF).
 */
const REDIS_UNAVAILABLE_REPLIES = new Set([
  "LOADING",
  "BUSY",
  "MASTERDOWN",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "READONLY",
  "NOREPLICAS",
  "OOM",
  "MISCONF",
]);

/**
 * SQLSTATE classes and codes that mean the database could not serve, not that the statement
 * was wrong: connection exceptions (08), insufficient resources (53: too many connections,
 * disk full), operator intervention (57P01–57P05: shutdown, crash, not yet accepting; 57014:
 * statement_timeout fired), system errors outside PostgreSQL (58: I/O), and the transient
 * conflicts a retry resolves (40001 serialization failure, 40P01 deadlock).
 */
const SQLSTATE_CLASSES = ["08", "53", "58"];
const SQLSTATE_CODES = new Set(["57P01", "57P02", "57P03", "57P04", "57P05", "57014", "40001", "40P01"]);

/** Node system errors (they carry `syscall`) for a peer that is gone, unreachable or too slow. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** A disk that is full or failing: the embedded store's dependency. */
const DISK_CODES = new Set(["ENOSPC", "EDQUOT", "EIO"]);

/** How deep `cause` chains and AggregateError lists are followed. */
const MAX_DEPTH = 4;

/** What failed, or null when the error is not a dependency failure (an AppError never is). */
export function classifyDependencyFailure(error: unknown, depth = 0): DependencyFailure | null {
  if (!(error instanceof Error) || error instanceof AppError) return null;
  const direct = classifyOne(error);
  if (direct !== null || depth >= MAX_DEPTH) return direct;
  // pg-pool wraps a connect timeout, Node's happy-eyeballs connect an AggregateError of attempts.
  if (error.cause !== undefined) {
    const fromCause = classifyDependencyFailure(error.cause, depth + 1);
    if (fromCause !== null) return fromCause;
  }
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = classifyDependencyFailure(inner, depth + 1);
      if (found !== null) return found;
    }
  }
  return null;
}

export function isDependencyFailure(error: unknown): boolean {
  return classifyDependencyFailure(error) !== null;
}

function classifyOne(error: Error): DependencyFailure | null {
  if (isA(error, redisErrors.ReplyError)) {
    const code = error.message.split(" ", 1)[0] ?? "";
    return REDIS_UNAVAILABLE_REPLIES.has(code) ? { dependency: "redis", reason: `redis ${code}` } : null;
  }
  if (isA(error, redisErrors.AbortError)) return { dependency: "redis", reason: error.name };
  // Any other redis-errors class (ClusterAllFailedError, ParserError): the connection, not the command.
  if (isA(error, redisErrors.RedisError)) return { dependency: "redis", reason: error.name };
  if (error instanceof pg.DatabaseError || error instanceof pglite.messages.DatabaseError) {
    const code = error.code ?? "";
    const unavailable = SQLSTATE_CODES.has(code) || SQLSTATE_CLASSES.includes(code.slice(0, 2));
    return unavailable ? { dependency: "postgres", reason: `sqlstate ${code}` } : null;
  }
  const system = systemErrorCode(error);
  if (system !== null) {
    if (NETWORK_CODES.has(system)) return { dependency: "network", reason: system };
    if (DISK_CODES.has(system)) return { dependency: "disk", reason: system };
    return null;
  }
  const plain = plainErrorDependency(error);
  return plain === null ? null : { dependency: plain, reason: error.message.slice(0, 60) };
}

function isA(error: Error, cls: ErrorClass): boolean {
  return error instanceof cls;
}

/**
 * The code of a Node system error (`ECONNREFUSED`…): those carry `syscall` next to `code`,
 * which tells them apart from library errors that borrow a `code` property. Node's
 * happy-eyeballs AggregateError carries the code without a syscall; its members have one.
 */
function systemErrorCode(error: Error): string | null {
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  return typeof code === "string" && typeof syscall === "string" ? code : null;
}
