/** Webhooks other platforms send us: Kick's chat (connectors/kick). */
import type { FastifyRequest } from "fastify";
import type { App, Services } from "../services.js";

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
}

export function webhookRoutes(app: App, s: Services): void {
  // The signature covers the raw body: this route reads it as bytes, not as parsed JSON.
  void app.register(async (scope) => {
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.post(
      "/api/webhooks/kick",
      {
        bodyLimit: s.config.limits.ingestBodyMaxBytes,
        schema: {
          tags: ["ingest"],
          summary:
            "Kick's chat.message.sent webhook (signature checked), into every channel connected to that Kick channel",
        },
      },
      async (request) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return s.kick.receive(
          {
            messageId: header(request, "kick-event-message-id"),
            timestamp: header(request, "kick-event-message-timestamp"),
            signature: header(request, "kick-event-signature"),
            type: header(request, "kick-event-type"),
          },
          raw,
        );
      },
    );
  });
}
