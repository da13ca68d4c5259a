/**
 * Ingest keys: create with a label (the secret is shown once, with a copy button), list
 * without secrets, revoke after a confirmation.
 */
import type { IngestKey } from "@chorus/client";
import { Copy, KeyRound, Trash2 } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { createIngestKey, listIngestKeys, revokeIngestKey } from "../../services/streamer";
import { BUTTON, ErrorLine, errorText, formatWhen, INPUT, PRIMARY, Section } from "./ui";

export function IngestKeys({ channel }: { channel: string }) {
  const [keys, setKeys] = useState<IngestKey[] | null>(null);
  const [label, setLabel] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(
    () =>
      listIngestKeys(channel).then(
        (list) => setKeys(list),
        (e: unknown) => setError(errorText(e)),
      ),
    [channel],
  );
  useEffect(() => void refresh(), [refresh]);

  async function act(action: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await action();
      await refresh();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const create = (event: FormEvent): void => {
    event.preventDefault();
    void act(async () => {
      const created = await createIngestKey(channel, label.trim());
      setSecret(created.secret);
      setCopied(false);
      setLabel("");
    });
  };

  const copy = (): void => {
    if (secret === null) return;
    navigator.clipboard.writeText(secret).then(
      () => setCopied(true),
      () => setError("Copying failed: select the key and copy it by hand."),
    );
  };

  return (
    <Section title="Ingest keys" testId="ingest-keys">
      <form onSubmit={create} className="flex flex-wrap items-end gap-2" aria-label="Create an ingest key">
        <label className="flex flex-1 flex-col gap-1 text-xs">
          Label
          <input
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            maxLength={64}
            placeholder="e.g. my bot"
            className={INPUT}
          />
        </label>
        <button type="submit" disabled={busy} className={PRIMARY}>
          <KeyRound className="size-4" aria-hidden="true" /> Create key
        </button>
      </form>
      {secret !== null && (
        <div
          role="status"
          data-testid="new-secret"
          className="flex flex-col gap-2 rounded-md border border-amber-400 bg-amber-50 p-2 text-sm dark:bg-amber-950/40"
        >
          <p className="font-medium">Copy this key now: you won't see it again.</p>
          <div className="flex gap-2">
            <code
              data-part="secret"
              className="flex-1 select-all break-all rounded bg-white px-2 py-1 dark:bg-zinc-950"
            >
              {secret}
            </code>
            <button type="button" onClick={copy} className={BUTTON}>
              <Copy className="size-4" aria-hidden="true" /> {copied ? "Copied" : "Copy"}
            </button>
          </div>
          <button type="button" onClick={() => setSecret(null)} className={`${BUTTON} self-start`}>
            I have stored it
          </button>
        </div>
      )}
      {keys !== null && keys.length === 0 && <p className="text-sm text-zinc-500">No ingest keys.</p>}
      <ul className="flex flex-col gap-1" data-testid="key-list">
        {keys?.map((k) => (
          <li key={k.id} data-key={k.id} className="flex flex-wrap items-center gap-2 text-sm">
            <bdi className="font-medium">{k.label ?? "(no label)"}</bdi>
            <span className="text-xs text-zinc-500">
              created {formatWhen(k.createdAt)} · last used {formatWhen(k.lastUsedAt)}
            </span>
            {confirming === k.id ? (
              <span className="ml-auto flex gap-1">
                <button
                  type="button"
                  disabled={busy}
                  className={`${BUTTON} border-red-500 text-red-700 dark:text-red-300`}
                  onClick={() => void act(async () => revokeIngestKey(channel, k.id)).then(() => setConfirming(null))}
                >
                  Revoke for good
                </button>
                <button type="button" className={BUTTON} onClick={() => setConfirming(null)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button
                type="button"
                className={`${BUTTON} ml-auto`}
                aria-label={`Revoke key ${k.label ?? k.id}`}
                onClick={() => setConfirming(k.id)}
              >
                <Trash2 className="size-4" aria-hidden="true" /> Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorLine error={error} />
    </Section>
  );
}
