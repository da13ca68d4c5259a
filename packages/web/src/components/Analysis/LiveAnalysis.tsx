/**
 * The dashboard's "Live analysis": the numbers now (in text), live charts of the last 30
 * minutes, summaries, the questions queue, top emotes and terms, the running broadcast's
 * highlights, and the analysis settings. Seeded from `GET /stats` and `GET /summaries` when
 * it opens; the channel feed's `stats` and `summary` events keep it live.
 */
import type { Broadcast } from "@chorus/protocol";
import { lazy, Suspense, useEffect } from "react";
import { describeMood, formatMood, formatShare } from "../../lib/analysis";
import { seedAnalysis } from "../../services/analysis";
import { useAnalysis } from "../../store/analysis";
import { Section } from "../Dashboard/ui";
import { AnalysisSettings } from "./AnalysisSettings";
import { LiveHighlights } from "./BroadcastHighlights";
import { QuestionsQueue } from "./QuestionsQueue";
import { SummaryFeed } from "./SummaryFeed";
import { TopEmotes, TopTerms } from "./TopLists";

const LiveCharts = lazy(() => import("./LiveCharts"));

export function LiveAnalysis({
  channel,
  broadcast,
  canEdit,
}: {
  channel: string;
  /** The running broadcast, if any. */
  broadcast: Broadcast | undefined;
  /** The owner (or an admin): may change the settings and mark questions. */
  canEdit: boolean;
}) {
  useEffect(() => seedAnalysis(channel), [channel]);
  return (
    <Section title="Live analysis" testId="live-analysis">
      <NowLine />
      <Suspense fallback={<div className="h-48" aria-hidden="true" />}>
        <LiveCharts />
      </Suspense>
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
        <SummaryFeed />
        <QuestionsQueue canMark={canEdit} />
        <TopEmotes />
        <TopTerms />
      </div>
      <section aria-label="Highlights of this broadcast" className="flex flex-col gap-2">
        <h3 className="font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Highlights of this broadcast</h3>
        <LiveHighlights channel={channel} broadcast={broadcast} />
      </section>
      <details className="rounded-md border border-zinc-200 px-2 py-1 dark:border-zinc-800">
        <summary className="cursor-pointer text-sm">Analysis settings</summary>
        <div className="mt-2">
          <AnalysisSettings disabled={!canEdit} />
        </div>
      </details>
    </Section>
  );
}

/** The latest numbers as text: what the charts show, readable without them. */
function NowLine() {
  const stats = useAnalysis((s) => s.stats);
  if (stats === null)
    return <p className="text-sm text-zinc-500">Waiting for chat: the numbers start with the first messages.</p>;
  return (
    <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="analysis-now" data-at={stats.at}>
      <Figure label="Last minute" value={String(stats.lastMinute)} part="last-minute" />
      <Figure label="Per minute (5 min)" value={stats.messagesPerMinute.toFixed(1)} part="per-minute" />
      <Figure label="Chatters" value={String(stats.chatters)} part="chatters" />
      <Figure label="Viewers" value={String(stats.viewers)} part="viewers" />
      <Figure
        label="Mood"
        value={`${formatMood(stats.mood)} · ${describeMood(stats.mood)}`}
        part="mood"
        title={`${formatShare(stats.sentiment.positive)} positive, ${formatShare(stats.sentiment.neutral)} neutral, ${formatShare(stats.sentiment.negative)} negative`}
      />
    </dl>
  );
}

function Figure({ label, value, part, title }: { label: string; value: string; part: string; title?: string }) {
  return (
    <div className="flex flex-col" title={title}>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="font-semibold text-lg tabular-nums" data-part={part}>
        {value}
      </dd>
    </div>
  );
}
