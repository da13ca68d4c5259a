/**
 * Serves the built web UI (packages/web/dist) at `/` with a Content-Security-Policy, and
 * falls back to index.html for client-side routes. Without a build, a short page says how
 * to make one.
 */
import { existsSync } from "node:fs";
import fastifyStatic from "@fastify/static";
import { sendError } from "../errors.js";
import type { App } from "../services.js";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "media-src 'self' blob: https:",
  "connect-src 'self' https: wss: ws:",
  "frame-src https://www.youtube-nocookie.com https://www.youtube.com",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
].join("; ");

export async function webRoutes(app: App, distDir: string): Promise<void> {
  const built = existsSync(`${distDir}/index.html`);
  app.addHook("onSend", async (request, reply, payload) => {
    if (!request.url.startsWith("/api/")) {
      reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
      reply.header("x-content-type-options", "nosniff");
      reply.header("referrer-policy", "strict-origin-when-cross-origin");
    }
    return payload;
  });
  if (built) {
    await app.register(fastifyStatic, { root: distDir, prefix: "/", wildcard: false, index: ["index.html"] });
  }
  app.setNotFoundHandler((request, reply) => {
    if (request.method !== "GET" || request.url.startsWith("/api/") || !built) {
      if (!built && request.method === "GET" && request.url === "/") {
        return reply
          .type("text/html")
          .send(
            "<!doctype html><title>Chorus</title><p>Chorus is running. Build the web UI with <code>npm run build</code>.</p>",
          );
      }
      return sendError(reply, "not_found", "no such route");
    }
    return reply.sendFile("index.html");
  });
}
