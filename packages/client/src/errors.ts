/**
 * The SDK's one error type. Every failure a caller can see — an HTTP error, an `{op:"error"}`
 * frame, a network failure, a timeout — arrives as a `ChorusError` whose `code` is one of
 * the stable codes of docs/api.md. Failures that never reached the server (network down, send
 * timed out, client closed) carry `status: 0` and code `unavailable`.
 */
import { ERROR_STATUS, type ErrorCode, isErrorCode } from "@chorus/protocol";

export interface ChorusErrorInit {
  /** HTTP status, or the status the code maps to for WebSocket errors; 0 when the server was never reached. */
  status?: number;
  /** How long the server asked the caller to wait (`rate_limited`, `slow_mode`). */
  retryAfterMs?: number;
  /** `banned` / `timed_out`: when the sanction ends (ms since the epoch), null for a ban until lifted. */
  until?: number | null;
  cause?: unknown;
}

/**
 * `send()` was answered `{op:"held"}`: the message was accepted for moderators to review and is
 * published only if one approves it. Not a failure: do not retry it (use `submit()` to get
 * this as a result instead).
 */
export class MessageHeldError extends Error {
  override readonly name = "MessageHeldError";
  constructor(readonly id: string) {
    super("the message is held for review by moderators");
  }
}

export class ChorusError extends Error {
  override readonly name = "ChorusError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterMs?: number;
  readonly until?: number | null;

  constructor(code: ErrorCode, message: string, init: ChorusErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.status = init.status ?? ERROR_STATUS[code];
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.until !== undefined) this.until = init.until;
  }
}

/** A failure on the client side of the wire: the request may or may not have reached the server. */
export function localError(message: string, cause?: unknown): ChorusError {
  return new ChorusError("unavailable", message, { status: 0, cause });
}

/** The code to use when a response carries no stable code we know (a proxy's 502, a newer server). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 429:
      return "rate_limited";
    case 500:
      return "internal";
    default:
      return status >= 500 ? "unavailable" : "invalid_request";
  }
}

/**
 * Builds the error for a non-2xx HTTP response from its status, its parsed JSON body (if any)
 * and its `Retry-After` header (seconds), preferring the body's `retryAfterMs`.
 */
export function errorFromResponse(status: number, body: unknown, retryAfterHeader: string | null): ChorusError {
  const error = isRecord(body) && isRecord(body["error"]) ? body["error"] : undefined;
  const rawCode = error?.["code"];
  const code = isErrorCode(rawCode) ? rawCode : codeForStatus(status);
  const message = typeof error?.["message"] === "string" ? error["message"] : `HTTP ${status}`;
  let retryAfterMs = typeof error?.["retryAfterMs"] === "number" ? error["retryAfterMs"] : undefined;
  if (retryAfterMs === undefined && retryAfterHeader !== null) {
    const seconds = Number(retryAfterHeader);
    if (Number.isFinite(seconds) && seconds >= 0) retryAfterMs = seconds * 1000;
  }
  const init: ChorusErrorInit = { status };
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  const until = readUntil(error?.["until"]);
  if (until !== undefined) init.until = until;
  return new ChorusError(code, message, init);
}

/** Builds the error for an `{op:"error"}` frame. */
export function errorFromFrame(frame: {
  code: unknown;
  message: unknown;
  retryAfterMs?: unknown;
  until?: unknown;
}): ChorusError {
  const code = isErrorCode(frame.code) ? frame.code : "internal";
  const message = typeof frame.message === "string" ? frame.message : String(frame.code);
  const init: ChorusErrorInit = {};
  if (typeof frame.retryAfterMs === "number") init.retryAfterMs = frame.retryAfterMs;
  const until = readUntil(frame.until);
  if (until !== undefined) init.until = until;
  return new ChorusError(code, message, init);
}

/** `until` as the server sends it: ms since the epoch, or null for a ban that lasts until lifted. */
function readUntil(value: unknown): number | null | undefined {
  if (value === null) return null;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
