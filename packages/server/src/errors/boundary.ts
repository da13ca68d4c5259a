/**
 * The one function that turns anything thrown into what a client is told: a stable code, its
 * human message, a retry hint and the HTTP status. HTTP (http/errors.ts), WebSocket
 * (realtime/ws-connection.ts) and SSE (realtime/sse-gateway.ts) only give it a wire form.
 *
 * - `AppError`: as thrown (an `unavailable` one without a hint gets the default hint);
 * - a dependency failure (classify.ts): `unavailable` + retry hint, logged at warn — at most
 *   once per reason per interval, since an outage fails every request at once;
 * - anything else is a bug: `internal`, logged at error with the error itself.
 */
import { ERROR_STATUS, type ErrorCode } from "@chorus/protocol";
import { AppError } from "./app-error.js";
import { classifyDependencyFailure } from "./classify.js";

export interface ClientError {
  code: ErrorCode;
  message: string;
  status: number;
  retryAfterMs?: number;
  until?: number | null;
}

/** What the boundary needs of a logger (pino's, or a Fastify request's). */
export interface BoundaryLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How soon a client may retry after a dependency failure. */
export const UNAVAILABLE_RETRY_MS = 1_000;
const UNAVAILABLE_MESSAGE = "a backing service is unavailable, try again shortly";
/** One warn line per failure reason per interval; the rest are counted into the next line. */
const WARN_INTERVAL_MS = 5_000;

const warned = new Map<string, { at: number; suppressed: number }>();

export function toClientError(error: unknown, logger: BoundaryLogger, context: object = {}): ClientError {
  if (error instanceof AppError) {
    const out: ClientError = { code: error.code, message: error.message, status: error.status };
    const retryAfterMs = error.retryAfterMs ?? (error.code === "unavailable" ? UNAVAILABLE_RETRY_MS : undefined);
    if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
    if (error.until !== undefined) out.until = error.until;
    return out;
  }
  const failure = classifyDependencyFailure(error);
  if (failure !== null) {
    warnThrottled(logger, failure.reason, { ...context, dependency: failure.dependency, err: error });
    return {
      code: "unavailable",
      message: UNAVAILABLE_MESSAGE,
      status: ERROR_STATUS.unavailable,
      retryAfterMs: UNAVAILABLE_RETRY_MS,
    };
  }
  logger.error({ ...context, err: error }, "unexpected error");
  return { code: "internal", message: "internal error", status: ERROR_STATUS.internal };
}

function warnThrottled(logger: BoundaryLogger, reason: string, fields: object): void {
  const now = Date.now();
  const last = warned.get(reason);
  if (last && now - last.at < WARN_INTERVAL_MS) {
    last.suppressed++;
    return;
  }
  warned.set(reason, { at: now, suppressed: 0 });
  logger.warn({ ...fields, reason, suppressedSinceLast: last?.suppressed ?? 0 }, "dependency unavailable");
}
