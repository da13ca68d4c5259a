/**
 * A broadcast's highlights on its timeline: a marker per spike at its place between `start`
 * and `end`, and the same highlights as a list of labels with their time into the broadcast.
 * With `onSelect`, markers and labels are buttons (the replay jumps there); every marker names
 * its highlight in text (aria-label and title), never by position alone.
 */
import type { Highlight } from "@chorus/protocol";
import { Zap } from "lucide-react";
import { useMemo } from "react";
import { describeHighlight, timelineMarks } from "../../lib/analysis";
import { formatSpan } from "../../lib/streamer";

export interface HighlightTimelineProps {
  highlights: readonly Highlight[];
  start: number;
  end: number;
  onSelect?: ((highlight: Highlight) => void) | undefined;
  /** Leave out the list of labels (a compact strip). */
  compact?: boolean;
  testId?: string;
  empty?: string;
}

export function HighlightTimeline({
  highlights,
  start,
  end,
  onSelect,
  compact = false,
  testId = "highlights",
  empty = "No highlights yet.",
}: HighlightTimelineProps) {
  const marks = useMemo(() => timelineMarks(highlights, start, end), [highlights, start, end]);
  if (marks.length === 0)
    return (
      <p className="text-xs text-zinc-500" data-testid={testId} data-count={0}>
        {empty}
      </p>
    );
  return (
    <div className="flex flex-col gap-1.5" data-testid={testId} data-count={marks.length}>
      <div className="relative h-4 rounded-full bg-zinc-200 dark:bg-zinc-800" data-part="timeline">
        {marks.map((m) => {
          const text = `${formatSpan(m.at - start)}: ${describeHighlight(m)}`;
          const place = { left: `${(m.fraction * 100).toFixed(2)}%` };
          const className =
            "-translate-x-1/2 absolute top-0 h-4 w-1.5 rounded-full bg-amber-500 ring-1 ring-white dark:ring-zinc-900";
          return onSelect ? (
            <button
              key={`${m.seq}-${m.at}`}
              type="button"
              data-seq={m.seq}
              aria-label={`Jump to ${text}`}
              title={text}
              onClick={() => onSelect(m)}
              className={`${className} cursor-pointer hover:bg-amber-400 focus-visible:outline-2 focus-visible:outline-violet-500`}
              style={place}
            />
          ) : (
            <span
              key={`${m.seq}-${m.at}`}
              role="img"
              aria-label={text}
              title={text}
              className={className}
              style={place}
            />
          );
        })}
      </div>
      {!compact && (
        <ul className="flex flex-wrap gap-1.5 text-xs">
          {marks.map((m) => {
            const label = (
              <>
                <Zap className="size-3 text-amber-500" aria-hidden="true" />
                <span className="tabular-nums text-zinc-500">{formatSpan(m.at - start)}</span>
                <bdi className="max-w-40 truncate font-medium">{m.label}</bdi>
                <span className="text-zinc-500 tabular-nums">{Math.round(m.rate)}/min</span>
              </>
            );
            const chip = "inline-flex items-center gap-1 rounded-full bg-amber-500/10 px-2 py-0.5";
            return (
              <li key={`${m.seq}-${m.at}`} data-highlight={m.seq}>
                {onSelect ? (
                  <button
                    type="button"
                    title={describeHighlight(m)}
                    onClick={() => onSelect(m)}
                    className={`${chip} hover:bg-amber-500/20`}
                  >
                    {label}
                  </button>
                ) : (
                  <span title={describeHighlight(m)} className={chip}>
                    {label}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
