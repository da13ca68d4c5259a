/**
 * The owner's analysis settings: how often a summary comes and how many messages it covers, and
 * the channel's own emotes with how they feel to the sentiment analyser (-5 hostile … +5
 * delighted). Numbers save on Enter or when the field is left; the emote list saves on each
 * add or remove, edited against the latest list the page knows. Moderators see it disabled.
 */
import type { ChannelSettings } from "@chorus/protocol";
import { LIMITS } from "@chorus/protocol";
import { Plus, Trash2 } from "lucide-react";
import { type FormEvent, useEffect, useId, useState } from "react";
import {
  ANALYSIS_NUMBERS,
  type AnalysisNumberKey,
  formatPolarity,
  POLARITY_MAX,
  POLARITY_MIN,
  parseAnalysisNumber,
  sentimentEmoteRows,
  withoutSentimentEmote,
  withSentimentEmote,
} from "../../lib/analysis";
import { type SaveResult, saveSettings } from "../../services/settings";
import { useFeed } from "../../store/feed";

const INPUT =
  "rounded-md border border-zinc-300 bg-white px-2 py-0.5 text-sm tabular-nums aria-invalid:border-red-500 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-950";
const SMALL_BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-0.5 text-xs font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

interface Status {
  ok: boolean;
  text: string;
}

export function AnalysisSettings({ disabled }: { disabled: boolean }) {
  const settings = useFeed((s) => s.channel?.settings);
  const [status, setStatus] = useState<Status | null>(null);
  if (settings === undefined) return null;

  const save = (patch: Partial<ChannelSettings>): Promise<SaveResult> => {
    setStatus({ ok: true, text: "Saving…" });
    return saveSettings(patch).then((result) => {
      setStatus(result.ok ? { ok: true, text: "Saved." } : { ok: false, text: result.error });
      return result;
    });
  };

  return (
    <section aria-label="Chat analysis settings" className="flex flex-col gap-2" data-testid="analysis-settings">
      <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">Chat analysis</h3>
      {disabled && <p className="text-xs text-zinc-500">Only the broadcaster can change these.</p>}
      <NumberField field="summaryEvery" value={settings.summaryEvery} disabled={disabled} save={save} />
      <NumberField field="summaryWindow" value={settings.summaryWindow} disabled={disabled} save={save} />
      <EmoteEditor emotes={settings.sentimentEmotes} disabled={disabled} save={save} />
      <p
        role={status?.ok === false ? "alert" : "status"}
        data-testid="analysis-settings-status"
        className={`min-h-4 text-xs ${status?.ok === false ? "text-red-700 dark:text-red-300" : "text-zinc-500"}`}
      >
        {status?.text}
      </p>
    </section>
  );
}

type Save = (patch: Partial<ChannelSettings>) => Promise<SaveResult>;

function NumberField({
  field,
  value,
  disabled,
  save,
}: {
  field: AnalysisNumberKey;
  value: number;
  disabled: boolean;
  save: Save;
}) {
  const spec = ANALYSIS_NUMBERS[field];
  const [draft, setDraft] = useState(String(value));
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  // Follow a change made elsewhere unless the field is being edited.
  useEffect(() => {
    if (!editing) setDraft(String(value));
  }, [value, editing]);

  const commit = (): void => {
    setEditing(false);
    const parsed = parseAnalysisNumber(field, draft);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    if (parsed.value !== value)
      void save(field === "summaryEvery" ? { summaryEvery: parsed.value } : { summaryWindow: parsed.value });
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    commit();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={spec.label} data-setting={field}>
      <div className="flex items-center gap-2">
        <label htmlFor={`${ids}-input`} className="flex-1 text-sm">
          {spec.label}
        </label>
        <input
          id={`${ids}-input`}
          type="number"
          inputMode="numeric"
          min={spec.min}
          max={spec.max}
          step={1}
          value={draft}
          disabled={disabled}
          aria-invalid={error !== null || undefined}
          aria-describedby={error ? `${ids}-error` : undefined}
          data-testid={`setting-${field}`}
          onFocus={() => setEditing(true)}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          className={`${INPUT} w-20 text-right`}
        />
        <span className="w-16 text-xs text-zinc-500">messages</span>
      </div>
      {error && (
        <p id={`${ids}-error`} role="alert" className="text-red-700 text-xs dark:text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}

function EmoteEditor({
  emotes,
  disabled,
  save,
}: {
  emotes: Readonly<Record<string, number>>;
  disabled: boolean;
  save: Save;
}) {
  const [name, setName] = useState("");
  const [polarity, setPolarity] = useState("2");
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  const rows = sentimentEmoteRows(emotes);
  // Edit against the latest list the page knows (another tab or a moderator's page may have saved).
  const latest = (): Readonly<Record<string, number>> => useFeed.getState().channel?.settings.sentimentEmotes ?? emotes;

  const add = (event: FormEvent): void => {
    event.preventDefault();
    const edit = withSentimentEmote(latest(), name, polarity);
    if (!edit.ok) {
      setError(edit.error);
      return;
    }
    setError(null);
    void save({ sentimentEmotes: edit.emotes }).then((result) => {
      if (result.ok) setName("");
    });
  };

  return (
    <fieldset
      className="flex flex-col gap-2 rounded-md border border-zinc-200 p-2 dark:border-zinc-800"
      data-testid="sentiment-emotes"
    >
      <legend className="px-1 text-sm">Emote feelings</legend>
      <p className="text-xs text-zinc-500">
        How your own emotes feel to the mood analysis, from {POLARITY_MIN} (hostile) to +{POLARITY_MAX} (delighted); 0
        marks one as neutral. Up to {LIMITS.sentimentEmotesMax}.
      </p>
      {rows.length > 0 && (
        <ul className="flex flex-col gap-1">
          {rows.map((r) => (
            <li key={r.name} data-emote={r.name} className="flex items-center gap-2 text-sm">
              <bdi className="flex-1 truncate font-medium">{r.name}</bdi>
              <span
                data-part="polarity"
                className={`w-8 text-right tabular-nums ${
                  r.polarity > 0
                    ? "text-emerald-700 dark:text-emerald-400"
                    : r.polarity < 0
                      ? "text-red-700 dark:text-red-400"
                      : "text-zinc-500"
                }`}
              >
                {formatPolarity(r.polarity)}
              </span>
              <button
                type="button"
                disabled={disabled}
                aria-label={`Remove ${r.name}`}
                className={SMALL_BUTTON}
                onClick={() => void save({ sentimentEmotes: withoutSentimentEmote(latest(), r.name) })}
              >
                <Trash2 className="size-3.5" aria-hidden="true" /> Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} noValidate className="flex flex-wrap items-end gap-2" aria-label="Add an emote feeling">
        <label className="flex min-w-0 flex-1 flex-col gap-0.5 text-xs">
          Emote
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={LIMITS.emoteNameMax}
            disabled={disabled}
            placeholder="e.g. PogChamp"
            aria-invalid={error !== null || undefined}
            aria-describedby={error ? `${ids}-error` : undefined}
            className={`${INPUT} py-1`}
          />
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Feeling
          <input
            type="number"
            min={POLARITY_MIN}
            max={POLARITY_MAX}
            step={1}
            value={polarity}
            onChange={(e) => setPolarity(e.target.value)}
            disabled={disabled}
            className={`${INPUT} w-16 py-1 text-right`}
          />
        </label>
        <button type="submit" disabled={disabled} className={`${SMALL_BUTTON} py-1`}>
          <Plus className="size-3.5" aria-hidden="true" /> Add
        </button>
      </form>
      {error && (
        <p id={`${ids}-error`} role="alert" className="text-red-700 text-xs dark:text-red-300">
          {error}
        </p>
      )}
    </fieldset>
  );
}
