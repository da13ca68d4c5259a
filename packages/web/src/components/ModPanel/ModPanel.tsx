/**
 * The moderators' drawer over the chat, in tabs: the review queue (held messages, live), the
 * actions (ban or time out by name, the standing bans and timeouts with "lift", clearing the
 * chat, the modlog filtered by action and user), the chat settings, the blocked terms and the
 * suspicious users. Bans and modlog reload whenever the log carries a moderation event.
 */
import { type ChannelBan, MODLOG_ACTIONS } from "@chorus/client";
import type { ModlogEntry } from "@chorus/protocol";
import { Eraser, Undo2, X } from "lucide-react";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { formatEndTime } from "../../lib/format";
import { ACTION_LABELS, describeModlogEntry, TIMEOUT_PRESETS } from "../../lib/moderation";
import { banUser, clearChat, liftBan, listBans, readModlog, timeoutUser } from "../../services/moderation";
import { MOD_TABS, type ModTab, moderationActions, useModeration } from "../../store/moderation";
import { BlockedTerms } from "../BlockedTerms/BlockedTerms";
import { ChatSettings } from "../ChatSettings/ChatSettings";
import { HeldQueue } from "../HeldQueue/HeldQueue";
import { SuspiciousUsers } from "../SuspiciousUsers/SuspiciousUsers";

const INPUT =
  "rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950 min-w-0";
const BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

const TAB_LABELS: Record<ModTab, string> = {
  held: "Held",
  actions: "Actions",
  settings: "Settings",
  terms: "Terms",
  users: "Users",
};

export function ModPanel() {
  const changes = useModeration((s) => s.changes);
  const tab = useModeration((s) => s.tab);
  const ids = useId();
  return (
    <section
      aria-label="Moderation"
      data-testid="mod-panel"
      className="absolute inset-0 z-20 flex flex-col bg-white dark:bg-zinc-900"
    >
      <header className="flex items-center justify-between border-zinc-200 border-b px-3 py-2 dark:border-zinc-800">
        <h2 className="font-semibold text-sm">Moderation</h2>
        <button
          type="button"
          aria-label="Close moderation"
          onClick={() => moderationActions.setPanel(false)}
          className="rounded-md p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <X className="size-4" aria-hidden="true" />
        </button>
      </header>
      <Tabs current={tab} ids={ids} />
      <div
        role="tabpanel"
        id={`${ids}-panel`}
        aria-labelledby={`${ids}-tab-${tab}`}
        data-testid={`mod-tab-${tab}`}
        className="min-h-0 flex-1 overflow-y-auto p-3"
      >
        {tab === "held" && <HeldQueue />}
        {tab === "actions" && (
          <div className="flex flex-col gap-4">
            <SanctionForm />
            <Bans changes={changes} />
            <ClearChat />
            <Modlog changes={changes} />
          </div>
        )}
        {tab === "settings" && <ChatSettings />}
        {tab === "terms" && <BlockedTerms />}
        {tab === "users" && <SuspiciousUsers />}
      </div>
    </section>
  );
}

/** WAI-ARIA tabs: arrow keys, Home and End move between them (and select: they are cheap). */
function Tabs({ current, ids }: { current: ModTab; ids: string }) {
  const held = useModeration((s) => s.held.length);
  const refs = useRef<Partial<Record<ModTab, HTMLButtonElement | null>>>({});
  const onKeyDown = (event: KeyboardEvent): void => {
    const i = MOD_TABS.indexOf(current);
    const next =
      event.key === "ArrowRight"
        ? MOD_TABS[(i + 1) % MOD_TABS.length]
        : event.key === "ArrowLeft"
          ? MOD_TABS[(i - 1 + MOD_TABS.length) % MOD_TABS.length]
          : event.key === "Home"
            ? MOD_TABS[0]
            : event.key === "End"
              ? MOD_TABS[MOD_TABS.length - 1]
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    moderationActions.setTab(next);
    refs.current[next]?.focus();
  };
  return (
    <div
      role="tablist"
      aria-label="Moderation tools"
      onKeyDown={onKeyDown}
      className="flex shrink-0 gap-0.5 overflow-x-auto border-zinc-200 border-b px-2 dark:border-zinc-800"
    >
      {MOD_TABS.map((t) => (
        <button
          key={t}
          ref={(el) => {
            refs.current[t] = el;
          }}
          type="button"
          role="tab"
          id={`${ids}-tab-${t}`}
          aria-selected={t === current}
          aria-controls={`${ids}-panel`}
          tabIndex={t === current ? 0 : -1}
          data-testid={`mod-tab-button-${t}`}
          onClick={() => moderationActions.setTab(t)}
          className="-mb-px inline-flex items-center gap-1 border-transparent border-b-2 px-2 py-1.5 font-medium text-xs text-zinc-600 hover:text-zinc-900 aria-selected:border-violet-600 aria-selected:text-zinc-900 dark:text-zinc-400 dark:aria-selected:text-zinc-100 dark:hover:text-zinc-100"
        >
          {TAB_LABELS[t]}
          {t === "held" && held > 0 && (
            <span className="rounded-full bg-amber-500 px-1.5 text-[0.65rem] text-black tabular-nums">{held}</span>
          )}
        </button>
      ))}
    </div>
  );
}

function SanctionForm() {
  const [username, setUsername] = useState("");
  const [duration, setDuration] = useState("ban");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    if (name === "" || busy) return;
    setBusy(true);
    const why = reason.trim() || undefined;
    const ok = duration === "ban" ? await banUser(name, why) : await timeoutUser(name, Number(duration), why);
    setBusy(false);
    if (ok) {
      setUsername("");
      setReason("");
    }
  };
  return (
    <form onSubmit={submit} aria-label="Ban or time out" className="flex flex-col gap-2" data-testid="sanction-form">
      <h3 className="font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Ban or time out</h3>
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
        <label htmlFor={`${ids}-duration`} className="sr-only">
          Duration
        </label>
        <select id={`${ids}-duration`} value={duration} onChange={(e) => setDuration(e.target.value)} className={INPUT}>
          <option value="ban">Ban</option>
          {TIMEOUT_PRESETS.map((p) => (
            <option key={p.seconds} value={String(p.seconds)}>
              Timeout {p.label}
            </option>
          ))}
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
          className="rounded-md bg-red-600 px-3 py-1 font-medium text-sm text-white hover:bg-red-500 disabled:opacity-50"
        >
          Apply
        </button>
      </div>
    </form>
  );
}

function Bans({ changes }: { changes: number }) {
  const [bans, setBans] = useState<ChannelBan[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Reloaded on every moderation event; `changes` is the trigger.
    void changes;
    let live = true;
    listBans().then(
      (list) => {
        if (!live) return;
        setBans(list);
        setError(null);
      },
      () => {
        if (live) setError("The bans could not be loaded.");
      },
    );
    return () => {
      live = false;
    };
  }, [changes]);
  const now = Date.now();
  return (
    <section aria-label="Bans and timeouts">
      <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Bans and timeouts</h3>
      {error && <p className="text-red-600 text-xs">{error}</p>}
      {bans?.length === 0 && <p className="text-sm text-zinc-500">Nobody is banned or timed out.</p>}
      <ul className="flex flex-col gap-1" data-testid="ban-list">
        {bans?.map((b) => (
          <li
            key={b.username}
            data-username={b.username}
            data-kind={b.kind}
            className="flex items-center gap-2 text-sm"
          >
            <div className="min-w-0 flex-1">
              <bdi className="font-semibold">{b.username}</bdi>{" "}
              <span className="text-xs text-zinc-500">
                {b.kind === "ban" ? "banned" : `timed out until ${b.until ? formatEndTime(b.until, now) : "?"}`} by{" "}
                <bdi>{b.by}</bdi>
                {b.reason ? (
                  <>
                    {" "}
                    · <bdi>{b.reason}</bdi>
                  </>
                ) : null}
              </span>
            </div>
            <button type="button" onClick={() => void liftBan(b.username)} className={BUTTON}>
              <Undo2 className="size-3.5" aria-hidden="true" />
              Lift
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ClearChat() {
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const clear = async (): Promise<void> => {
    setBusy(true);
    await clearChat();
    setBusy(false);
    setConfirm(false);
  };
  return (
    <section aria-label="Clear chat" className="flex flex-wrap items-center gap-2">
      {confirm ? (
        <>
          <span className="text-sm">Hide every message so far, for everyone?</span>
          <button
            type="button"
            disabled={busy}
            onClick={() => void clear()}
            className={`${BUTTON} border-red-600 bg-red-600 text-white hover:bg-red-500 dark:hover:bg-red-500`}
          >
            Clear chat
          </button>
          <button type="button" onClick={() => setConfirm(false)} className={BUTTON}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirm(true)} className={BUTTON}>
          <Eraser className="size-3.5" aria-hidden="true" />
          Clear chat…
        </button>
      )}
    </section>
  );
}

const PAGE = 50;

function Modlog({ changes }: { changes: number }) {
  const [action, setAction] = useState("");
  const [target, setTarget] = useState("");
  const [entries, setEntries] = useState<ModlogEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  const user = target.trim().toLowerCase();
  useEffect(() => {
    void changes;
    let live = true;
    const timer = setTimeout(() => {
      readModlog({ action, target: user, limit: PAGE }).then(
        (page) => {
          if (!live) return;
          setEntries(page);
          setMore(page.length === PAGE);
          setError(null);
        },
        () => {
          if (live) setError("The modlog could not be loaded.");
        },
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [changes, action, user]);
  const loadMore = async (): Promise<void> => {
    const before = entries.at(-1)?.at;
    if (before === undefined) return;
    const page = await readModlog({ action, target: user, before, limit: PAGE });
    setEntries((e) => [...e, ...page]);
    setMore(page.length === PAGE);
  };
  return (
    <section aria-label="Modlog">
      <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Modlog</h3>
      <div className="mb-2 flex gap-2">
        <label htmlFor={`${ids}-action`} className="sr-only">
          Action
        </label>
        <select id={`${ids}-action`} value={action} onChange={(e) => setAction(e.target.value)} className={INPUT}>
          <option value="">All actions</option>
          {MODLOG_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {ACTION_LABELS[a] ?? a}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-target`} className="sr-only">
          User
        </label>
        <input
          id={`${ids}-target`}
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          placeholder="filter by user"
          className={`${INPUT} flex-1`}
        />
      </div>
      {error && <p className="text-red-600 text-xs">{error}</p>}
      {entries.length === 0 && !error && <p className="text-sm text-zinc-500">No entries.</p>}
      <ol className="flex flex-col gap-1" data-testid="modlog">
        {entries.map((e) => (
          <li key={e.id} data-action={e.action} data-target={e.target ?? ""} className="text-sm">
            <time dateTime={new Date(e.at).toISOString()} className="mr-2 text-xs text-zinc-500 tabular-nums">
              {formatEndTime(e.at, Date.now())}
            </time>
            <bdi>{describeModlogEntry(e)}</bdi>
            {e.reason ? (
              <span className="text-xs text-zinc-500">
                {" "}
                · <bdi>{e.reason}</bdi>
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {more && (
        <button type="button" onClick={() => void loadMore()} className={`${BUTTON} mt-2`}>
          Older entries
        </button>
      )}
    </section>
  );
}
