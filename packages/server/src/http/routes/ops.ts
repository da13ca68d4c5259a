import type { App, Services } from "../services.js";

export function opsRoutes(app: App, s: Services): void {
  const tags = ["operations"];
  app.get("/healthz", { schema: { tags, description: "the process is up" } }, async () => ({ ok: true }));

  app.get(
    "/readyz",
    { schema: { tags, description: "the store (and Redis) are reachable; says which is down" } },
    async (_request, reply) => {
      const checks = await s.health();
      const ready = Object.values(checks).every((c) => c === "ok");
      return reply.status(ready ? 200 : 503).send({ ready, checks });
    },
  );

  app.get("/metrics", { schema: { tags, description: "Prometheus text format" } }, async (_request, reply) => {
    reply.header("content-type", s.metrics.registry.contentType);
    return s.metrics.registry.metrics();
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
