/**
 * Answers for requests that fail before any route runs, in the same `{"error":{code,message}}`
 * shape as every other error: a URL that cannot be decoded, a path segment longer than any
 * name can be, and what Node's HTTP parser refuses (oversized headers, malformed request
 * lines, a client too slow to send its request). Fastify would otherwise answer these in its
 * own body shape.
 */
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors.js";

/** Fastify's `frameworkErrors`: router failures. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    // Longer than any channel name or id can be: nothing by that name exists.
    void sendError(reply, "not_found", "no resource has a name that long");
    return;
  }
  void sendError(
    reply,
    "invalid_request",
    error.code === "FST_ERR_BAD_URL" ? "the URL cannot be decoded" : error.message,
  );
}

const PARSER_ANSWERS: Record<string, { status: number; text: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    text: "Request Header Fields Too Large",
    message: "request headers are too large",
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: "Request Timeout", message: "the request took too long to arrive" },
};

/** Fastify's `clientErrorHandler`: Node's HTTP parser refused the request; there is no reply object. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const answer = PARSER_ANSWERS[error.code ?? ""] ?? { status: 400, text: "Bad Request", message: "malformed request" };
  const body = JSON.stringify({ error: { code: "invalid_request", message: answer.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
