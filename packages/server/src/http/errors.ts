/**
 * Errors as HTTP answers: `{"error":{"code","message","retryAfterMs"?}}` with the status of
 * the code and, when there is a retry hint, a `Retry-After` header. Fastify's own request
 * errors (validation, body size, media type) are first named with our codes; everything
 * else goes through the one boundary (errors/boundary.ts). Nothing else writes an error body.
 */
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "@chorus/protocol";
import type { FastifyError, FastifyReply } from "fastify";
import { toClientError } from "../errors/boundary.js";
import { AppError } from "../errors.js";
import type { App } from "./services.js";

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  retryAfterMs?: number,
  until?: number | null,
): FastifyReply {
  const body: ErrorBody = { error: { code, message } };
  if (until !== undefined) body.error.until = until;
  if (retryAfterMs !== undefined) {
    body.error.retryAfterMs = retryAfterMs;
    reply.header("retry-after", String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  return reply.status(ERROR_STATUS[code]).send(body);
}

export function installErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const e = toClientError(fromFastify(error) ?? error, request.log, { method: request.method, url: request.url });
    return sendError(reply, e.code, e.message, e.retryAfterMs, e.until);
  });
}

/** Fastify's request errors, in our codes; null for anything that is not one. */
function fromFastify(error: FastifyError | Error): AppError | null {
  if (error instanceof AppError) return null;
  const fe = error as Partial<FastifyError>;
  if (fe.validation) {
    const what = fe.validationContext ?? "request";
    return new AppError("invalid_request", `${what}${error.message.replace(/^(body|querystring|params)/, "")}`);
  }
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE" || fe.statusCode === 413) {
    return new AppError("payload_too_large", "request body is too large");
  }
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return new AppError("invalid_request", "send JSON (content-type: application/json)");
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError("invalid_request", error.message);
  }
  return null;
}
