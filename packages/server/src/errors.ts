/**
 * The one error type the server's services throw. Routes and gateways never build error
 * bodies themselves: HTTP maps it in http/errors.ts, WebSocket in realtime/ws-connection.ts.
 */
import { ERROR_STATUS, type ErrorCode } from "@chorus/protocol";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string): AppError => new AppError("not_found", `${what} not found`);
export const forbidden = (why: string): AppError => new AppError("forbidden", why);
export const invalid = (why: string): AppError => new AppError("invalid_request", why);
export const conflict = (why: string): AppError => new AppError("conflict", why);
export const unauthorized = (why = "authentication required"): AppError => new AppError("unauthorized", why);

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "57P01",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
]);
const UNAVAILABLE_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Connection is closed",
  "Stream isn't writeable",
  "Command timed out",
  "connect ECONNREFUSED",
];

/** A dependency (PostgreSQL, Redis) is unreachable: the caller should retry later (503), not report a bug (500). */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.some((m) => error.message.includes(m));
}
