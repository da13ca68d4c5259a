/**
 * The window's top emotes (as images when the page has seen the emote's image in a message,
 * else as text) and top terms, each with its count and a bar of its share of the first.
 */
import { type ReactNode, useMemo } from "react";
import { barFractions } from "../../lib/analysis";
import { emoteUrl } from "../../services/analysis";
import { useAnalysis } from "../../store/analysis";

const SHOWN = 10;

export function TopEmotes() {
  const emotes = useAnalysis((s) => s.stats?.topEmotes);
  const rows = useMemo(
    () =>
      (emotes ?? []).slice(0, SHOWN).map((e) => {
        const url = emoteUrl(e.name);
        return {
          key: e.name,
          count: e.count,
          label: url ? (
            <img
              src={url}
              alt={e.name}
              title={e.name}
              loading="lazy"
              referrerPolicy="no-referrer"
              data-part="emote"
              className="inline-block h-6 max-h-6 w-auto max-w-16 align-middle"
            />
          ) : (
            <bdi className="font-medium">{e.name}</bdi>
          ),
        };
      }),
    [emotes],
  );
  return <TopList title="Top emotes" empty="No emotes in the last 5 minutes." rows={rows} testId="top-emotes" />;
}

export function TopTerms() {
  const terms = useAnalysis((s) => s.stats?.topTerms);
  const rows = useMemo(
    () => (terms ?? []).slice(0, SHOWN).map((t) => ({ key: t.term, count: t.count, label: <bdi>{t.term}</bdi> })),
    [terms],
  );
  return <TopList title="Top terms" empty="No recurring terms in the last 5 minutes." rows={rows} testId="top-terms" />;
}

function TopList({
  title,
  empty,
  rows,
  testId,
}: {
  title: string;
  empty: string;
  rows: ReadonlyArray<{ key: string; count: number; label: ReactNode }>;
  testId: string;
}) {
  const fractions = barFractions(rows.map((r) => r.count));
  return (
    <section aria-label={title} className="flex min-w-0 flex-col gap-2">
      <h3 className="font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">{title}</h3>
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-500">{empty}</p>
      ) : (
        <ol className="flex flex-col gap-1 text-sm" data-testid={testId}>
          {rows.map((r, i) => (
            <li key={r.key} data-name={r.key} className="relative flex items-center gap-2 rounded px-1.5 py-0.5">
              <span
                aria-hidden="true"
                className="absolute inset-y-0 left-0 rounded bg-violet-500/15"
                style={{ width: `${((fractions[i] ?? 0) * 100).toFixed(1)}%` }}
              />
              <span className="relative min-w-0 flex-1 truncate">{r.label}</span>
              <span className="relative text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-part="count">
                {r.count}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
