/**
 * The card a click on a name opens: who it is, their role, their latest messages in the loaded
 * feed, and for moderators the actions (time out, ban, lift, delete a message, restrict or
 * monitor and clear that mark; the owner also hands out the moderator role). A modal dialog:
 * Escape, the close button or the backdrop closes it, and focus goes back where it was.
 */
import { Ban, Clock, Eye, Lock, ShieldCheck, ShieldOff, Trash2, Undo2, X } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { latestBy, recentMessagesBy } from "../../lib/feed";
import { formatClock } from "../../lib/format";
import { ADMIN_RANK, allowedActions, authorRank, TIMEOUT_PRESETS, USER_STATUS_LABELS } from "../../lib/moderation";
import {
  banUser,
  clearUserStatus,
  deleteMessage,
  liftBan,
  setRole,
  setUserStatus,
  timeoutUser,
} from "../../services/moderation";
import { useFeed } from "../../store/feed";
import { markOf, moderationActions, useModeration } from "../../store/moderation";
import { AuthorBadges } from "../AuthorBadges/AuthorBadges";

const RECENT = 5;

const ROLE_NAMES: Record<string, string> = {
  owner: "Broadcaster",
  moderator: "Moderator",
  vip: "VIP",
  subscriber: "Subscriber",
  viewer: "Viewer",
};

const BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 disabled:opacity-50 aria-disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

export function UserCard() {
  const card = useModeration((s) => s.card);
  if (card === null) return null;
  return <Card key={card.username} username={card.username} />;
}

function Card({ username }: { username: string }) {
  const rows = useFeed((s) => s.rows);
  const mod = useModeration((s) => s.moderator);
  const [busy, setBusy] = useState(false);
  const [confirmBan, setConfirmBan] = useState(false);
  const ids = useId();
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => previous?.focus();
  }, []);

  // Escape closes the card even when focus has left it (a button that went disabled drops it on <body>).
  useEffect(() => {
    const onEscape = (event: globalThis.KeyboardEvent): void => {
      if (event.key === "Escape") moderationActions.closeCard();
    };
    document.addEventListener("keydown", onEscape);
    return () => document.removeEventListener("keydown", onEscape);
  }, []);

  const mark = useModeration((s) => markOf(s.suspicious, username));
  // Someone whose messages are all held (a restricted user) is known from the queue.
  const heldBy = useModeration((s) => s.held.findLast((h) => h.message.author.username === username)?.message);
  const latest = latestBy(rows, username) ?? heldBy;
  const recent = recentMessagesBy(rows, username, RECENT, mod !== null);
  const author = latest?.author;
  const allowed = author ? allowedActions(mod, author) : { delete: false, sanction: false };
  const canAssign = mod !== null && mod.rank >= ADMIN_RANK - 1 && author !== undefined && authorRank(author) < mod.rank;
  const close = (): void => moderationActions.closeCard();
  // Buttons stay focusable while an action runs (aria-disabled, not disabled): a disabled
  // button would drop the keyboard user's focus on <body>.
  const run = (action: () => Promise<boolean>): void => {
    if (busy) return;
    setBusy(true);
    void action().finally(() => {
      setBusy(false);
      setConfirmBan(false);
    });
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === "Escape") close();
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the backdrop closes the card on click; Escape is on the dialog.
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape is handled by the dialog itself.
    <div className="fixed inset-0 z-40 flex items-end justify-center bg-black/40 sm:items-center" onClick={close}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${ids}-title`}
        data-testid="user-card"
        data-username={username}
        onKeyDown={onKeyDown}
        onClick={(e) => e.stopPropagation()}
        className="flex max-h-[85dvh] w-full max-w-sm flex-col gap-3 overflow-y-auto rounded-t-xl bg-white p-4 shadow-xl sm:rounded-xl dark:bg-zinc-900"
      >
        <div className="flex items-start justify-between gap-2">
          <div className="min-w-0">
            <h2 id={`${ids}-title`} className="truncate font-semibold text-base">
              {author && <AuthorBadges badges={author.badges} />}
              <bdi>{author?.displayName ?? username}</bdi>
            </h2>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">
              <bdi>@{username}</bdi> ·{" "}
              <span data-testid="user-card-role">
                {author ? (ROLE_NAMES[author.role] ?? author.role) : "No messages in view"}
              </span>
              {mod && mark && (
                <>
                  {" "}
                  ·{" "}
                  <span
                    data-testid="user-card-status"
                    data-status={mark.status}
                    className={
                      mark.status === "restricted"
                        ? "text-red-700 dark:text-red-400"
                        : "text-amber-700 dark:text-amber-400"
                    }
                  >
                    {USER_STATUS_LABELS[mark.status]}
                    {mark.reason ? (
                      <>
                        : <bdi>{mark.reason}</bdi>
                      </>
                    ) : null}
                  </span>
                </>
              )}
            </p>
          </div>
          <button
            ref={closeRef}
            type="button"
            onClick={close}
            aria-label="Close"
            className="rounded-md p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
          >
            <X className="size-4" aria-hidden="true" />
          </button>
        </div>

        <section aria-label="Recent messages">
          <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Recent messages</h3>
          {recent.length === 0 ? (
            <p className="text-sm text-zinc-500">None in the loaded chat.</p>
          ) : (
            <ul className="flex flex-col gap-1" data-testid="user-card-messages">
              {recent.map((m) => (
                <li key={m.id} className="flex items-start gap-2 text-sm">
                  <span className="shrink-0 text-xs text-zinc-500 tabular-nums leading-5">
                    {formatClock(m.createdAt)}
                  </span>
                  <bdi className="min-w-0 flex-1 [overflow-wrap:anywhere]">{m.text}</bdi>
                  {allowed.delete && (
                    <button
                      type="button"
                      aria-disabled={busy}
                      aria-label="Delete this message"
                      onClick={() => run(() => deleteMessage(m.id, username))}
                      className="shrink-0 rounded p-0.5 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
                    >
                      <Trash2 className="size-3.5" aria-hidden="true" />
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>

        {allowed.sanction && (
          <section aria-label="Moderation" className="flex flex-col gap-2" data-testid="user-card-actions">
            <div className="flex flex-wrap items-center gap-1">
              <Clock className="size-3.5 text-zinc-500" aria-hidden="true" />
              <span className="mr-1 text-xs text-zinc-500">Time out</span>
              {TIMEOUT_PRESETS.map((p) => (
                <button
                  key={p.seconds}
                  type="button"
                  aria-disabled={busy}
                  aria-label={`Time out ${username} for ${p.label}`}
                  onClick={() => run(() => timeoutUser(username, p.seconds))}
                  className={BUTTON}
                >
                  {p.label}
                </button>
              ))}
            </div>
            <div className="flex flex-wrap gap-1">
              {confirmBan ? (
                <>
                  <button
                    type="button"
                    aria-disabled={busy}
                    onClick={() => run(() => banUser(username))}
                    className={`${BUTTON} border-red-600 bg-red-600 text-white hover:bg-red-500 dark:hover:bg-red-500`}
                  >
                    <Ban className="size-3.5" aria-hidden="true" />
                    Ban <bdi>{username}</bdi>
                  </button>
                  <button type="button" onClick={() => setConfirmBan(false)} className={BUTTON}>
                    Cancel
                  </button>
                </>
              ) : (
                <button
                  type="button"
                  aria-disabled={busy}
                  onClick={() => setConfirmBan(true)}
                  className={`${BUTTON} text-red-700 dark:text-red-400`}
                >
                  <Ban className="size-3.5" aria-hidden="true" />
                  Ban…
                </button>
              )}
              <button
                type="button"
                aria-disabled={busy}
                onClick={() => run(() => liftBan(username))}
                className={BUTTON}
              >
                <Undo2 className="size-3.5" aria-hidden="true" />
                Lift ban or timeout
              </button>
            </div>
            <div className="flex flex-wrap gap-1" data-testid="user-card-status-actions">
              <button
                type="button"
                aria-disabled={busy}
                aria-pressed={mark?.status === "restricted"}
                title="Every message of theirs waits for review"
                onClick={() => mark?.status !== "restricted" && run(() => setUserStatus(username, "restricted"))}
                className={BUTTON}
              >
                <Lock className="size-3.5" aria-hidden="true" />
                Restrict
              </button>
              <button
                type="button"
                aria-disabled={busy}
                aria-pressed={mark?.status === "monitored"}
                title="Their messages go out, marked for moderators"
                onClick={() => mark?.status !== "monitored" && run(() => setUserStatus(username, "monitored"))}
                className={BUTTON}
              >
                <Eye className="size-3.5" aria-hidden="true" />
                Monitor
              </button>
              {mark && (
                <button
                  type="button"
                  aria-disabled={busy}
                  onClick={() => run(() => clearUserStatus(username))}
                  className={BUTTON}
                >
                  <Undo2 className="size-3.5" aria-hidden="true" />
                  Clear
                </button>
              )}
              {canAssign &&
                (author?.role === "moderator" ? (
                  <button
                    type="button"
                    aria-disabled={busy}
                    onClick={() => run(() => setRole(username, "viewer"))}
                    className={BUTTON}
                  >
                    <ShieldOff className="size-3.5" aria-hidden="true" />
                    Remove moderator
                  </button>
                ) : (
                  <button
                    type="button"
                    aria-disabled={busy}
                    onClick={() => run(() => setRole(username, "moderator"))}
                    className={BUTTON}
                  >
                    <ShieldCheck className="size-3.5" aria-hidden="true" />
                    Make moderator
                  </button>
                ))}
            </div>
          </section>
        )}
      </div>
    </div>
  );
}
