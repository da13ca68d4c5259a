/**
 * Built-in connectors: state, source, last message and error, refreshed every few seconds;
 * add or re-point Twitch and Kick, remove. Kick pushes webhooks, so its form says where to.
 */
import type { Connector } from "@chorus/client";
import { Trash2 } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { deleteConnector, listConnectors, putConnector } from "../../services/streamer";
import { PlatformIcon } from "../PlatformIcon/PlatformIcon";
import { BUTTON, ErrorLine, errorText, formatWhen, INPUT, PRIMARY, Section } from "./ui";

const REFRESH_MS = 3_000;
const STATE_CLASS: Record<string, string> = {
  connected: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300",
  connecting: "bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-300",
  error: "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-300",
  stopped: "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
};

export function Connectors({ channel }: { channel: string }) {
  const [connectors, setConnectors] = useState<Connector[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [platform, setPlatform] = useState<"twitch" | "kick">("twitch");
  const [source, setSource] = useState("");
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(
    () =>
      listConnectors(channel).then(
        (list) => setConnectors(list),
        (e: unknown) => setError(errorText(e)),
      ),
    [channel],
  );
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

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

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (source.trim() === "") return;
    void act(async () => {
      await putConnector(channel, platform, source.trim());
      setSource("");
    });
  };

  return (
    <Section title="Connectors" testId="connectors">
      {connectors !== null && connectors.length === 0 && (
        <p className="text-sm text-zinc-500">No connectors: chat from other platforms is not mirrored here.</p>
      )}
      <ul className="flex flex-col gap-2">
        {connectors?.map((c) => (
          <li key={c.platform} data-platform={c.platform} className="flex flex-wrap items-center gap-2 text-sm">
            <PlatformIcon platform={c.platform} />
            <span className="font-medium">{c.platform}</span>
            <bdi className="text-zinc-600 dark:text-zinc-400">{c.source}</bdi>
            <span data-part="state" className={`rounded px-1.5 text-xs ${STATE_CLASS[c.state] ?? ""}`}>
              {c.state}
            </span>
            <span className="text-xs text-zinc-500">last message: {formatWhen(c.lastMessageAt)}</span>
            <button
              type="button"
              disabled={busy}
              className={`${BUTTON} ml-auto`}
              aria-label={`Remove the ${c.platform} connector`}
              onClick={() => void act(() => deleteConnector(channel, c.platform))}
            >
              <Trash2 className="size-4" aria-hidden="true" /> Remove
            </button>
            {c.error && <p className="w-full text-red-700 text-xs dark:text-red-300">{c.error}</p>}
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Add or re-point a connector">
        <label className="flex flex-col gap-1 text-xs">
          Platform
          <select
            value={platform}
            onChange={(e) => setPlatform(e.target.value === "kick" ? "kick" : "twitch")}
            className={INPUT}
          >
            <option value="twitch">Twitch</option>
            <option value="kick">Kick</option>
          </select>
        </label>
        <label className="flex flex-1 flex-col gap-1 text-xs">
          {platform === "twitch" ? "Twitch channel" : "Kick channel slug"}
          <input
            value={source}
            onChange={(e) => setSource(e.target.value)}
            maxLength={64}
            placeholder={platform === "twitch" ? "e.g. shroud" : "e.g. xqc"}
            className={INPUT}
          />
        </label>
        <button type="submit" disabled={busy} className={PRIMARY}>
          Connect
        </button>
      </form>
      {platform === "kick" && (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Kick delivers chat as webhooks: in your Kick app, set the webhook URL to{" "}
          <code className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">{`${window.location.origin}/api/webhooks/kick`}</code>{" "}
          and subscribe it to <code>chat.message.sent</code>.
        </p>
      )}
      <ErrorLine error={error} />
    </Section>
  );
}
