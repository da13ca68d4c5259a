/**
 * Stable error codes of the public API (docs/api.md "Conventions"). The code is the contract;
 * the human message may change. One table maps each code to its HTTP status so that the
 * server maps errors at exactly one boundary.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  blocked_term: 400,
  spam: 400,
  unauthorized: 401,
  forbidden: 403,
  banned: 403,
  timed_out: 403,
  mode_restricted: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  slow_mode: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

/** The JSON body of every HTTP error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; retryAfterMs?: number; until?: number | null };
}

/**
 * WebSocket close codes the server uses when it closes on purpose. 4000–4999 is the
 * application range of RFC 6455; each is preceded by a `{op:"reconnect"}` frame except
 * where noted.
 */
export const CLOSE_CODES = {
  /** Server shutting down; reconnect (to another node) after `retryAfterMs`. */
  shutdown: 4001,
  /** The session token was revoked (logout, ban); do not reconnect with the same token. */
  revoked: 4003,
  /** The client sent more frames than allowed per minute. */
  frameFlood: 4029,
  /** The client did not read fast enough and its queue overflowed; resume by seq. */
  slowConsumer: 4008,
  /** A frame larger than the payload limit. */
  tooLarge: 1009,
} as const;
