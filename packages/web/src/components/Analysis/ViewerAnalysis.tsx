/**
 * A viewer's optional analysis on the channel page, both off until chosen and remembered in
 * localStorage: a "catch me up" card with the latest chat summary (live, closable until the
 * next one), and sentiment colours on chat messages (MessageRow reads the choice).
 */
import { Palette, Sparkles, X } from "lucide-react";
import { useEffect } from "react";
import { catchUpSummary } from "../../lib/analysis";
import { formatClock } from "../../lib/format";
import { seedAnalysis, setCatchUp, setSentimentColors } from "../../services/analysis";
import { analysisActions, useAnalysis } from "../../store/analysis";

const TOGGLE =
  "inline-flex items-center gap-1.5 rounded-full border border-zinc-300 px-2.5 py-1 text-xs font-medium hover:bg-zinc-100 aria-pressed:border-violet-500 aria-pressed:bg-violet-500/15 aria-pressed:text-violet-800 dark:border-zinc-700 dark:hover:bg-zinc-800 dark:aria-pressed:text-violet-200";

/** The two switches. */
export function AnalysisToggles() {
  const catchUp = useAnalysis((s) => s.catchUp);
  const colors = useAnalysis((s) => s.sentimentColors);
  return (
    <fieldset className="flex flex-wrap items-center gap-2" data-testid="analysis-toggles">
      <legend className="sr-only">Chat extras</legend>
      <button
        type="button"
        aria-pressed={catchUp}
        data-testid="catch-up-toggle"
        onClick={() => setCatchUp(!catchUp)}
        className={TOGGLE}
      >
        <Sparkles className="size-3.5" aria-hidden="true" /> Catch me up
      </button>
      <button
        type="button"
        aria-pressed={colors}
        data-testid="sentiment-toggle"
        onClick={() => setSentimentColors(!colors)}
        className={TOGGLE}
      >
        <Palette className="size-3.5" aria-hidden="true" /> Sentiment colours
      </button>
    </fieldset>
  );
}

/** The card, while "catch me up" is on and there is a summary the reader has not closed. */
export function CatchMeUp({ channel }: { channel: string }) {
  const on = useAnalysis((s) => s.catchUp);
  const summary = useAnalysis((s) => catchUpSummary(s.summaries, s.catchUpDismissedSeq));
  // The latest summary so far; later ones arrive as events.
  useEffect(() => {
    if (on) seedAnalysis(channel, { stats: false, summaries: 1 });
  }, [on, channel]);
  if (!on || summary === undefined) return null;
  return (
    <section
      aria-label="Catch me up"
      data-testid="catch-up"
      data-seq={summary.seq}
      className="relative border-violet-500/40 border-b bg-violet-500/10 px-3 py-2 text-sm"
    >
      <h2 className="flex items-center gap-1.5 pr-6 font-semibold text-violet-800 text-xs dark:text-violet-200">
        <Sparkles className="size-3.5" aria-hidden="true" /> Catch me up
        <span className="font-normal text-zinc-500 tabular-nums">
          · <time dateTime={new Date(summary.at).toISOString()}>{formatClock(summary.at)}</time>
        </span>
      </h2>
      <p className="mt-0.5 max-h-32 overflow-y-auto whitespace-pre-line [overflow-wrap:anywhere]" data-part="text">
        <bdi>{summary.text}</bdi>
      </p>
      <button
        type="button"
        aria-label="Close the summary"
        title="Close (the next summary shows again)"
        onClick={() => analysisActions.dismissCatchUp(summary.seq)}
        className="absolute top-1.5 right-1.5 rounded-md p-1 text-zinc-500 hover:bg-zinc-200 dark:hover:bg-zinc-800"
      >
        <X className="size-4" aria-hidden="true" />
      </button>
    </section>
  );
}
