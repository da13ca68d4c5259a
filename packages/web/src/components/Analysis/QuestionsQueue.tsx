/**
 * Open questions from the chat (the server's list: asked in the last 5 minutes, not deleted, not
 * replied to), oldest first as a queue. The streamer or a moderator marks one answered or
 * dismisses it: on this page only, the chat is not told.
 */
import { Check, X } from "lucide-react";
import { useMemo } from "react";
import { countMarks, openQuestions } from "../../lib/analysis";
import { formatClock } from "../../lib/format";
import { analysisActions, useAnalysis } from "../../store/analysis";
import { MessageText } from "../MessageText/MessageText";

const BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-1.5 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800";

export function QuestionsQueue({ canMark }: { canMark: boolean }) {
  const questions = useAnalysis((s) => s.stats?.questions);
  const marks = useAnalysis((s) => s.marks);
  const open = useMemo(() => openQuestions(questions ?? [], marks), [questions, marks]);
  const counts = countMarks(marks);
  return (
    <section aria-label="Questions" className="flex min-w-0 flex-col gap-2">
      <h3 className="font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">
        Questions <span className="tabular-nums">({open.length})</span>
      </h3>
      {open.length === 0 ? (
        <p className="text-sm text-zinc-500">No open questions.</p>
      ) : (
        <ol className="flex max-h-72 flex-col gap-1.5 overflow-y-auto" data-testid="questions">
          {open.map((q) => (
            <li
              key={q.id}
              data-id={q.id}
              className="flex flex-col gap-1 rounded-md border border-zinc-200 px-2 py-1.5 text-sm dark:border-zinc-800"
            >
              <p className="[overflow-wrap:anywhere]">
                <span className="text-xs text-zinc-500 tabular-nums">{formatClock(q.createdAt)} </span>
                <bdi className="font-semibold">{q.author.displayName}</bdi>
                <span className="text-zinc-500">: </span>
                <bdi>
                  <MessageText text={q.text} me={null} emotes={q.emotes} />
                </bdi>
              </p>
              {canMark && (
                <span className="flex gap-1.5">
                  <button
                    type="button"
                    className={BUTTON}
                    aria-label={`Mark ${q.author.displayName}'s question answered`}
                    onClick={() => analysisActions.markQuestion(q.id, "answered")}
                  >
                    <Check className="size-3.5" aria-hidden="true" /> Answered
                  </button>
                  <button
                    type="button"
                    className={BUTTON}
                    aria-label={`Dismiss ${q.author.displayName}'s question`}
                    onClick={() => analysisActions.markQuestion(q.id, "dismissed")}
                  >
                    <X className="size-3.5" aria-hidden="true" /> Dismiss
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {counts.answered + counts.dismissed > 0 && (
        <p className="text-xs text-zinc-500" data-testid="questions-marked">
          {counts.answered} answered · {counts.dismissed} dismissed
        </p>
      )}
    </section>
  );
}
