/** Live analysis: a channel's rolling stats, its summaries, and a broadcast's highlights (docs/api.md "Analysis"). */
import { Highlight, LIMITS, Summary } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";
import { ChannelItemParams, ChannelParams, channelName } from "../schemas.js";
import type { App, Services } from "../services.js";

const SummaryEntry = Type.Composite([Type.Object({ seq: Type.Integer(), at: Type.Integer() }), Summary]);

export function analysisRoutes(app: App, s: Services): void {
  const tags = ["analysis"];

  app.get(
    "/api/channels/:name/stats",
    {
      schema: {
        tags,
        summary: "the channel's live numbers over the last 5 minutes (also the `stats` event, every 2 s)",
        params: ChannelParams,
      },
    },
    async (request) => s.analysis.stats(channelName(request.params.name)),
  );

  app.get(
    "/api/channels/:name/summaries",
    {
      schema: {
        tags,
        summary: "the latest summaries, newest last",
        params: ChannelParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.summariesMax, default: 10 })),
        }),
        response: { 200: Type.Object({ summaries: Type.Array(SummaryEntry) }) },
      },
    },
    async (request) => ({
      summaries: await s.analysis.summaries(channelName(request.params.name), request.query.limit ?? 10),
    }),
  );

  app.get(
    "/api/channels/:name/broadcasts/:id/highlights",
    {
      schema: {
        tags,
        summary: "moments of the broadcast when the chat's message rate spiked",
        params: ChannelItemParams,
        response: { 200: Type.Object({ highlights: Type.Array(Highlight) }) },
      },
    },
    async (request) => ({
      highlights: await s.analysis.highlights(channelName(request.params.name), request.params.id),
    }),
  );
}
