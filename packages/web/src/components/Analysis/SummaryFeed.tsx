/** The latest chat summaries, newest first: seeded from `GET /summaries`, live from `summary` events. */
import { formatClock } from "../../lib/format";
import { useAnalysis } from "../../store/analysis";

/** Summaries listed at once (the store keeps a few more). */
const SHOWN = 10;

export function SummaryFeed() {
  const summaries = useAnalysis((s) => s.summaries);
  const shown = summaries.slice(-SHOWN).reverse();
  return (
    <section aria-label="Chat summaries" className="flex min-w-0 flex-col gap-2">
      <h3 className="font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Summaries</h3>
      {shown.length === 0 ? (
        <p className="text-sm text-zinc-500">No summary yet: one comes after every few messages.</p>
      ) : (
        <ol className="flex max-h-72 flex-col gap-2 overflow-y-auto" data-testid="summary-feed" aria-live="polite">
          {shown.map((s) => (
            <li
              key={s.seq}
              data-seq={s.seq}
              className="rounded-md border border-zinc-200 px-2 py-1.5 text-sm dark:border-zinc-800"
            >
              <p className="mb-0.5 text-xs text-zinc-500 tabular-nums">
                <time dateTime={new Date(s.at).toISOString()}>{formatClock(s.at)}</time> · messages {s.fromSeq}–
                {s.toSeq}
              </p>
              <p className="whitespace-pre-line [overflow-wrap:anywhere]" data-part="text">
                <bdi>{s.text}</bdi>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
