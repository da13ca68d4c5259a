import { Type } from "@sinclair/typebox";
import type { App, Services } from "../services.js";

const Health = Type.Object({ ok: Type.Literal(true) }, { description: "the process answers" });
const readiness = (description: string) =>
  Type.Object(
    {
      ready: Type.Boolean(),
      checks: Type.Record(Type.String(), Type.Union([Type.Literal("ok"), Type.Literal("down")]), {
        description: "one entry per dependency: `store`, and `redis` in a cluster",
      }),
    },
    { description },
  );

export function opsRoutes(app: App, s: Services): void {
  const tags = ["operations"];
  app.get(
    "/healthz",
    { schema: { tags, summary: "liveness", description: "The process is up.", response: { 200: Health } } },
    async () => ({ ok: true as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags,
        summary: "readiness",
        description: "The store (and Redis, in a cluster) answer within 2 s; 503 names the one that is down.",
        response: { 200: readiness("every dependency answers"), 503: readiness("a dependency is down") },
      },
    },
    async (_request, reply) => {
      const checks = await s.health();
      const ready = Object.values(checks).every((c) => c === "ok");
      return reply.status(ready ? 200 : 503).send({ ready, checks });
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        tags,
        summary: "Prometheus metrics",
        description: "Prometheus text exposition format (`chorus_*`, process and Node.js runtime metrics).",
        response: {
          200: {
            description: "the metrics",
            content: { "text/plain": { schema: Type.String() } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header("content-type", s.metrics.registry.contentType);
      return s.metrics.registry.metrics();
    },
  );

  app.get(
    "/openapi.json",
    {
      schema: {
        tags,
        summary: "this OpenAPI document",
        description: "The OpenAPI 3 document of every route; `/docs` renders it.",
      },
    },
    async () => app.swagger(),
  );
}
