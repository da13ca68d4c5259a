/**
 * The building blocks of every string and number the server accepts, over HTTP and
 * WebSocket alike. PostgreSQL cannot store U+0000 in text, and JSONB refuses an unpaired
 * surrogate escape: either one reaching the store used to fail the request (or a whole
 * group commit) with a 500. A schema built from these refuses them at the boundary.
 */
import { type StringOptions, Type } from "@sinclair/typebox";
import { LIMITS } from "./limits.js";

/**
 * Any code point but U+0000, with surrogates only in pairs. Written so that it means the same
 * with and without the `u` flag: Ajv compiles patterns with it, TypeBox without.
 */
export const SAFE_STRING_PATTERN = "^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$";

/** What to tell a client whose string failed SAFE_STRING_PATTERN (the pattern itself says little). */
export const UNSAFE_STRING_MESSAGE = "must not contain U+0000 or an unpaired surrogate";

/** The check of SAFE_STRING_PATTERN, for code that holds a string outside a schema. */
export function isSafeString(value: string): boolean {
  return !value.includes("\u0000") && value.isWellFormed();
}

/** A string without NUL or lone surrogates; every string field must say how long it may be. */
export const SafeString = (options: StringOptions & { maxLength: number }) =>
  Type.String({ ...options, pattern: SAFE_STRING_PATTERN });

/**
 * A reference to a channel by name. Deliberately looser than the name pattern: a well-formed
 * string that is no channel's name is `not_found`, as an unknown channel is.
 */
export const ChannelRef = SafeString({ minLength: 1, maxLength: 64, description: "a channel name (case-insensitive)" });

/** The id of a message or broadcast; an id that names nothing is `not_found`. */
export const ResourceId = SafeString({ minLength: 1, maxLength: 64 });

/** The client's idempotency key of a message. */
export const Nonce = SafeString({ minLength: 1, maxLength: LIMITS.nonceMaxChars });

/** A position in a channel's log. Bounded so that it always fits the store's int8 column. */
export const Seq = (minimum = 0) => Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER });
