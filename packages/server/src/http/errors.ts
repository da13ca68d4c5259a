/**
 * The single boundary where errors become HTTP answers: `{"error":{"code","message"}}` with
 * the stable codes of API.md. Nothing else in the server writes an error body.
 */
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "@chorus/protocol";
import type { FastifyError, FastifyReply } from "fastify";
import { AppError, isUnavailableError } from "../errors.js";
import type { App } from "./services.js";

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, retryAfterMs?: number): FastifyReply {
  const body: ErrorBody = { error: { code, message } };
  if (retryAfterMs !== undefined) {
    body.error.retryAfterMs = retryAfterMs;
    reply.header("retry-after", String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  return reply.status(ERROR_STATUS[code]).send(body);
}

export function installErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) return sendError(reply, error.code, error.message, error.retryAfterMs);
    const fe = error as FastifyError;
    if (fe.validation)
      return sendError(
        reply,
        "invalid_request",
        `${fe.validationContext ?? "request"}${fe.message.replace(/^(body|querystring|params)/, "")}`,
      );
    if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return sendError(reply, "payload_too_large", "request body is too large");
    if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
      return sendError(reply, "invalid_request", "send JSON (content-type: application/json)");
    if (fe.statusCode === 413) return sendError(reply, "payload_too_large", "request body is too large");
    if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendError(reply, "invalid_request", fe.message);
    }
    if (isUnavailableError(error)) {
      request.log.warn({ err: error }, "dependency unavailable");
      return sendError(reply, "unavailable", "a backing service is unavailable, try again shortly", 1_000);
    }
    request.log.error({ err: error }, "request failed");
    return sendError(reply, "internal", "internal error");
  });
}
