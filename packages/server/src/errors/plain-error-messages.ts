/**
 * The failures that ioredis, pg, pg-pool and PGlite report as a plain `new Error(text)`, with
 * no class, code or property to tell them apart: the text is all there is, so it is matched
 * here and nowhere else. Only exact messages of plain `Error` instances count (a subclass or a
 * message that merely contains the words is something else). Versions checked: ioredis 6.0,
 * pg 8.x / pg-pool 3.x, @electric-sql/pglite 0.5; `test/error-boundary.test.ts` provokes each one that a
 * test can provoke, so an upgrade that rewords one fails there instead of turning 503s into 500s.
 */
import type { Dependency } from "./classify.js";

const EXACT: ReadonlyMap<string, Dependency> = new Map([
  // ioredis: utils.CONNECTION_CLOSED_ERROR_MSG (commands of a closed or closing connection).
  ["Connection is closed.", "redis"],
  // ioredis with enableOfflineQueue: false while disconnected.
  ["Stream isn't writeable and enableOfflineQueue options is false", "redis"],
  // ioredis commandTimeout.
  ["Command timed out", "redis"],
  // pg Client: the socket ended under a query or during connect.
  ["Connection terminated unexpectedly", "postgres"],
  ["Connection terminated", "postgres"],
  // pg Client connectionTimeoutMillis / query_timeout.
  ["timeout expired", "postgres"],
  ["Query read timeout", "postgres"],
  ["Client has encountered a connection error and is not queryable", "postgres"],
  ["Client was closed and is not queryable", "postgres"],
  // pg-pool: no connection within connectionTimeoutMillis, or the pool is shutting down.
  ["timeout exceeded when trying to connect", "postgres"],
  ["Connection terminated due to connection timeout", "postgres"],
  ["Cannot use a pool after calling end on the pool", "postgres"],
  // PGlite (embedded store) closed or closing: the process is shutting down.
  ["PGlite is closed", "store"],
  ["PGlite is closing", "store"],
]);

/** The dependency a plain `Error` with one of the known messages comes from, else null. */
export function plainErrorDependency(error: Error): Dependency | null {
  if (Object.getPrototypeOf(error) !== Error.prototype) return null;
  return EXACT.get(error.message) ?? null;
}
