/**
 * The one error type the server's services throw: a stable code (the contract), a human
 * message and, for codes a client should retry, a hint. Routes and gateways never build
 * error bodies themselves: errors/boundary.ts maps every error to its client form.
 */
import { ERROR_STATUS, type ErrorCode } from "@chorus/protocol";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    /** For `banned` / `timed_out`: when the sanction ends; null for a ban until lifted. */
    readonly until?: number | null,
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
