/**
 * Suspicious users: mark someone restricted (their messages wait in the review queue) or
 * monitored (published, and marked with an eye for moderators), with an optional reason, and
 * the users marked now with "clear". The list follows `user_status_changed` live.
 */
import type { UserStatusKind } from "@chorus/protocol";
import { Eye, Lock, Undo2 } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { formatEndTime } from "../../lib/format";
import { USER_STATUS_LABELS } from "../../lib/moderation";
import { clearUserStatus, setUserStatus } from "../../services/moderation";
import { moderationActions, useModeration } from "../../store/moderation";

const INPUT =
  "min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";
const BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

export function SuspiciousUsers() {
  const suspicious = useModeration((s) => s.suspicious);
  const [username, setUsername] = useState("");
  const [status, setStatus] = useState<UserStatusKind>("monitored");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const users = Object.values(suspicious).sort((a, b) => b.at - a.at);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    if (name === "" || busy) return;
    setBusy(true);
    const why = reason.trim();
    const ok = await setUserStatus(name, status, why === "" ? {} : { reason: why });
    setBusy(false);
    if (ok) {
      setUsername("");
      setReason("");
    }
  };

  return (
    <section aria-label="Suspicious users" className="flex flex-col gap-3">
      <div>
        <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Suspicious users</h3>
        <p className="text-xs text-zinc-500">
          Restricted: every message waits for review. Monitored: messages go out, marked for moderators. The user is not
          told.
        </p>
      </div>
      <form onSubmit={submit} aria-label="Mark a user" className="flex flex-col gap-2">
        <div className="flex gap-2">
          <label htmlFor={`${ids}-user`} className="sr-only">
            Username
          </label>
          <input
            id={`${ids}-user`}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            placeholder="username"
            autoComplete="off"
            className={`${INPUT} flex-1`}
          />
          <label htmlFor={`${ids}-status`} className="sr-only">
            Mark
          </label>
          <select
            id={`${ids}-status`}
            value={status}
            onChange={(e) => setStatus(e.target.value === "restricted" ? "restricted" : "monitored")}
            className={INPUT}
          >
            <option value="monitored">Monitor</option>
            <option value="restricted">Restrict</option>
          </select>
        </div>
        <div className="flex gap-2">
          <label htmlFor={`${ids}-reason`} className="sr-only">
            Reason
          </label>
          <input
            id={`${ids}-reason`}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="reason (optional)"
            className={`${INPUT} flex-1`}
          />
          <button
            type="submit"
            disabled={busy || username.trim() === ""}
            className="rounded-md bg-violet-600 px-3 py-1 font-medium text-sm text-white hover:bg-violet-500 disabled:opacity-50"
          >
            Mark
          </button>
        </div>
      </form>
      {users.length === 0 && <p className="text-sm text-zinc-500">Nobody is restricted or monitored.</p>}
      <ul className="flex flex-col gap-1" data-testid="suspicious-list">
        {users.map((u) => {
          const Icon = u.status === "restricted" ? Lock : Eye;
          return (
            <li key={u.username} data-username={u.username} data-status={u.status} className="flex items-center gap-2">
              <Icon
                className={`size-3.5 shrink-0 ${u.status === "restricted" ? "text-red-600" : "text-amber-600"}`}
                aria-hidden="true"
              />
              <div className="min-w-0 flex-1 text-sm">
                <button
                  type="button"
                  onClick={() => moderationActions.openCard(u.username)}
                  className="font-semibold hover:underline"
                >
                  <bdi>{u.username}</bdi>
                </button>{" "}
                <span className="text-xs text-zinc-500">
                  {USER_STATUS_LABELS[u.status].toLowerCase()} by <bdi>{u.by}</bdi>, {formatEndTime(u.at, Date.now())}
                  {u.reason ? (
                    <>
                      {" "}
                      · <bdi>{u.reason}</bdi>
                    </>
                  ) : null}
                </span>
              </div>
              <button type="button" onClick={() => void clearUserStatus(u.username)} className={BUTTON}>
                <Undo2 className="size-3.5" aria-hidden="true" />
                Clear
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
