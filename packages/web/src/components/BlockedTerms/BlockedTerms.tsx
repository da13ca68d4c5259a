/**
 * The blocked-terms editor: add a term with what happens to a message containing it (mask with
 * ***, hold for review, refuse), change a term's action, remove it. Every change saves the whole
 * list (`settings.blockedTerms`) as edited from the latest one the page knows, and the list
 * follows `channel_updated` live. Only the owner may change it; moderators see it read-only.
 */
import type { BlockedTerm, BlockedTermAction } from "@chorus/protocol";
import { Plus, Trash2 } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import {
  canEditSetting,
  parseTerm,
  removeTerm,
  TERM_ACTION_LABELS,
  TERM_ACTIONS,
  termsFull,
  upsertTerm,
} from "../../lib/settings";
import { saveBlockedTerms } from "../../services/settings";
import { useFeed } from "../../store/feed";
import { useModeration } from "../../store/moderation";

const INPUT =
  "min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-950";
const BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";
/** From this many terms on, a search box narrows the list. */
const SEARCH_FROM = 10;

interface Status {
  ok: boolean;
  text: string;
}

const isAction = (value: string): value is BlockedTermAction => TERM_ACTIONS.some((a) => a === value);

export function BlockedTerms() {
  const terms = useFeed((s) => s.channel?.settings.blockedTerms);
  const rank = useModeration((s) => s.moderator?.rank ?? 0);
  const editable = canEditSetting("blockedTerms", rank);
  const [draft, setDraft] = useState("");
  const [action, setAction] = useState<BlockedTermAction>("hold");
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  if (terms === undefined) return <p className="text-sm text-zinc-500">Loading…</p>;

  const save = async (edit: (current: readonly BlockedTerm[]) => BlockedTerm[], done: string): Promise<boolean> => {
    setBusy(true);
    const result = await saveBlockedTerms(edit);
    setBusy(false);
    setStatus(result.ok ? { ok: true, text: done } : { ok: false, text: result.error });
    return result.ok;
  };

  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const parsed = parseTerm(draft);
    if (!parsed.ok) {
      setStatus({ ok: false, text: parsed.error });
      return;
    }
    const exists = terms.some((t) => t.term === parsed.term);
    if (!exists && termsFull(terms)) {
      setStatus({ ok: false, text: "The list is full: remove a term first." });
      return;
    }
    const label = TERM_ACTION_LABELS[action].toLowerCase();
    const done = exists ? `“${parsed.term}” now: ${label}.` : `Added “${parsed.term}” (${label}).`;
    if (await save((current) => upsertTerm(current, parsed.term, action), done)) setDraft("");
  };

  const needle = search.trim().toLowerCase();
  const shown = needle === "" ? terms : terms.filter((t) => t.term.includes(needle));

  return (
    <section aria-label="Blocked terms" className="flex flex-col gap-3" data-testid="blocked-terms">
      <div>
        <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Blocked terms</h3>
        <p className="text-xs text-zinc-500">
          Matching ignores case, accents, look-alike letters and spacing tricks. A * at the start or end matches the
          rest of the word: “spam*” also catches “spammer”. Moderators and the broadcaster are not filtered.
        </p>
        {!editable && <p className="mt-1 text-xs text-zinc-500">Only the broadcaster can change the list.</p>}
      </div>
      {editable && (
        <form onSubmit={add} aria-label="Add a blocked term" className="flex flex-wrap gap-2">
          <label htmlFor={`${ids}-term`} className="sr-only">
            Term
          </label>
          <input
            id={`${ids}-term`}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="word, phrase or spam*"
            autoComplete="off"
            maxLength={100}
            className={`${INPUT} flex-1`}
          />
          <label htmlFor={`${ids}-action`} className="sr-only">
            Action
          </label>
          <select
            id={`${ids}-action`}
            value={action}
            onChange={(e) => {
              if (isAction(e.target.value)) setAction(e.target.value);
            }}
            className={INPUT}
          >
            {TERM_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {TERM_ACTION_LABELS[a]}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || draft.trim() === ""} className={BUTTON}>
            <Plus className="size-3.5" aria-hidden="true" />
            Add
          </button>
        </form>
      )}
      {status && (
        <p
          role={status.ok ? "status" : "alert"}
          data-testid="terms-status"
          className={`text-xs ${status.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}`}
        >
          {status.text}
        </p>
      )}
      {terms.length >= SEARCH_FROM && (
        <input
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder={`Search ${terms.length} terms`}
          aria-label="Search blocked terms"
          className={INPUT}
        />
      )}
      {terms.length === 0 && <p className="text-sm text-zinc-500">No blocked terms.</p>}
      <ul className="flex flex-col gap-1" data-testid="terms-list">
        {shown.map((t) => (
          <li key={t.term} data-term={t.term} data-action={t.action} className="flex items-center gap-2 text-sm">
            <bdi className="min-w-0 flex-1 truncate font-mono">{t.term}</bdi>
            <select
              value={t.action}
              disabled={!editable || busy}
              aria-label={`Action for ${t.term}`}
              onChange={(e) => {
                const next = e.target.value;
                if (!isAction(next)) return;
                void save(
                  (current) => upsertTerm(current, t.term, next),
                  `“${t.term}” now: ${TERM_ACTION_LABELS[next].toLowerCase()}.`,
                );
              }}
              className={INPUT}
            >
              {TERM_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {TERM_ACTION_LABELS[a]}
                </option>
              ))}
            </select>
            {editable && (
              <button
                type="button"
                disabled={busy}
                aria-label={`Remove ${t.term}`}
                onClick={() => void save((current) => removeTerm(current, t.term), `Removed “${t.term}”.`)}
                className="rounded p-1 text-zinc-500 hover:bg-zinc-100 disabled:opacity-50 dark:hover:bg-zinc-800"
              >
                <Trash2 className="size-3.5" aria-hidden="true" />
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
