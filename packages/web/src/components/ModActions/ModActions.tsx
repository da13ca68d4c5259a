/**
 * A moderator's actions on one chat row: delete, time out (presets) and ban (confirmed). With a
 * mouse they appear over the row's end on hover, and with the keyboard on focus; on a touch
 * screen a "⋯" button on every row opens them. Rendered only for rows the moderator may act on.
 */
import type { Message } from "@chorus/protocol";
import { Ban, Clock, Ellipsis, Trash2, X } from "lucide-react";
import { type KeyboardEvent, useState } from "react";
import { type AllowedActions, TIMEOUT_PRESETS } from "../../lib/moderation";
import { banUser, deleteMessage, timeoutUser } from "../../services/moderation";

type Mode = "actions" | "timeout" | "ban";

const BUTTON =
  "inline-flex h-6 min-w-6 items-center justify-center gap-1 rounded px-1 text-xs font-medium hover:bg-zinc-200 disabled:opacity-50 dark:hover:bg-zinc-700 pointer-coarse:h-9 pointer-coarse:min-w-9";

export function ModActions({ message, allowed }: { message: Message; allowed: AllowedActions }) {
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<Mode>("actions");
  const [busy, setBusy] = useState(false);
  const name = message.author.username;

  const done = (): void => {
    setBusy(false);
    setMode("actions");
    setOpen(false);
  };
  const run = (action: () => Promise<boolean>): void => {
    setBusy(true);
    void action().finally(done);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    setMode("actions");
    setOpen(false);
  };
  const engaged = open || mode !== "actions";

  return (
    <>
      <button
        type="button"
        aria-label={`Moderate ${name}'s message`}
        aria-expanded={open}
        data-testid="mod-more"
        onClick={() => setOpen((o) => !o)}
        className="float-right ml-1 hidden size-7 items-center justify-center rounded text-zinc-500 hover:bg-zinc-200 pointer-coarse:inline-flex dark:text-zinc-400 dark:hover:bg-zinc-700"
      >
        <Ellipsis className="size-4" aria-hidden="true" />
      </button>
      <div
        role="toolbar"
        aria-label={`Moderate ${name}`}
        data-testid="mod-actions"
        onKeyDown={onKeyDown}
        className={`absolute top-0 right-1 z-10 items-center gap-0.5 rounded-md border border-zinc-200 bg-white p-0.5 shadow-md dark:border-zinc-700 dark:bg-zinc-900 ${
          engaged ? "flex" : "flex opacity-0 focus-within:opacity-100 group-hover:opacity-100 pointer-coarse:hidden"
        } pointer-coarse:right-9`}
      >
        {mode === "actions" && (
          <>
            {allowed.delete && (
              <button
                type="button"
                disabled={busy}
                aria-label="Delete message"
                title="Delete message"
                data-testid="mod-delete"
                onClick={() => run(() => deleteMessage(message.id, name))}
                className={BUTTON}
              >
                <Trash2 className="size-3.5" aria-hidden="true" />
              </button>
            )}
            {allowed.sanction && (
              <>
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Time out ${name}`}
                  title="Time out"
                  data-testid="mod-timeout"
                  onClick={() => setMode("timeout")}
                  className={BUTTON}
                >
                  <Clock className="size-3.5" aria-hidden="true" />
                </button>
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Ban ${name}`}
                  title="Ban"
                  data-testid="mod-ban"
                  onClick={() => setMode("ban")}
                  className={`${BUTTON} text-red-600 dark:text-red-400`}
                >
                  <Ban className="size-3.5" aria-hidden="true" />
                </button>
              </>
            )}
          </>
        )}
        {mode === "timeout" &&
          TIMEOUT_PRESETS.map((preset) => (
            <button
              key={preset.seconds}
              type="button"
              disabled={busy}
              aria-label={`Time out ${name} for ${preset.label}`}
              data-testid={`mod-timeout-${preset.seconds}`}
              onClick={() => run(() => timeoutUser(name, preset.seconds))}
              className={BUTTON}
            >
              {preset.label}
            </button>
          ))}
        {mode === "ban" && (
          <button
            type="button"
            disabled={busy}
            data-testid="mod-ban-confirm"
            onClick={() => run(() => banUser(name))}
            className={`${BUTTON} bg-red-600 px-2 text-white hover:bg-red-500 dark:hover:bg-red-500`}
          >
            Ban <bdi>{name}</bdi>
          </button>
        )}
        {mode !== "actions" && (
          <button type="button" aria-label="Back" onClick={() => setMode("actions")} className={BUTTON}>
            <X className="size-3.5" aria-hidden="true" />
          </button>
        )}
      </div>
    </>
  );
}
