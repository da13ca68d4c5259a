/**
 * `GET /api/ws` in the router, so that the OpenAPI document lists it. A WebSocket upgrade
 * never gets here: Node hands requests with `Upgrade` to the server's `upgrade` event, where
 * realtime/ws-gateway.ts authenticates and checks the Origin before the 101. What reaches
 * this route is a plain HTTP GET, which is told how to upgrade instead of a 404.
 */
import { CLOSE_CODES, type ErrorBody } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import type { App } from "../services.js";

const UpgradeRequired = Type.Object(
  { error: Type.Object({ code: Type.Literal("invalid_request"), message: Type.String() }) },
  { description: "a plain GET: send a WebSocket upgrade request (the answer carries `Upgrade: websocket`)" },
);

const DESCRIPTION = [
  "The WebSocket endpoint (RFC 6455, text frames, JSON). Send an upgrade request",
  "(`Connection: Upgrade`, `Upgrade: websocket`); a plain GET answers 426.",
  "",
  "Auth, checked before the upgrade: `Authorization: Bearer <token>` (a bad token is 401), or",
  "the session cookie (an Origin other than the page's host or `ALLOWED_ORIGINS` is 403; an",
  'expired cookie connects anonymously), or none and then an `{"op":"auth","token"}` frame.',
  "",
  "Client frames are single JSON objects (`auth`, `subscribe`, `unsubscribe`, `send`, `ping`); every",
  "server message is a JSON array of frames. Close codes: " +
    `${CLOSE_CODES.shutdown} shutdown, ${CLOSE_CODES.revoked} session revoked, ` +
    `${CLOSE_CODES.slowConsumer} slow consumer, ${CLOSE_CODES.frameFlood} frame flood, ` +
    `${CLOSE_CODES.tooLarge} frame too large; all but ${CLOSE_CODES.tooLarge} follow a ` +
    '`{"op":"reconnect","reason","retryAfterMs"}` frame.',
  "",
  "The protocol in full: docs/protocol.md in the repository.",
].join("\n");

export function wsRoutes(app: App): void {
  app.get(
    "/api/ws",
    {
      schema: {
        tags: ["realtime"],
        summary: "WebSocket connection (upgrade)",
        description: DESCRIPTION,
        security: [{}, { bearer: [] }],
        response: {
          101: { description: "Switching Protocols: the WebSocket is open", type: "null" },
          401: { description: "the bearer token is invalid or expired", type: "null" },
          403: { description: "cookie auth from an Origin that is not allowed", type: "null" },
          426: UpgradeRequired,
          503: { description: "the server is shutting down", type: "null" },
        },
      },
    },
    async (_request, reply) => {
      // 426 is HTTP's own answer to a request that needs another protocol (RFC 9110 §15.5.22);
      // no AppError code maps to it, so this route writes the usual error body itself.
      const body: ErrorBody = {
        error: { code: "invalid_request", message: "this is a WebSocket endpoint: send an upgrade request" },
      };
      return reply.status(426).header("upgrade", "websocket").header("connection", "Upgrade").send(body);
    },
  );
}
