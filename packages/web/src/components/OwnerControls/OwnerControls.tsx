/**
 * The owner's stream controls: title, video source, go live / update / end. The page updates
 * from the resulting `channel_updated` / `stream_*` events like every viewer's; the answer of
 * each call is applied too, so the owner sees the change even before the event arrives.
 */
import { ChorusError } from "@chorus/client";
import type { Channel } from "@chorus/protocol";
import { Radio, Save, Square } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { endLive, goLive, setTitle } from "../../services/channels";
import { feedActions } from "../../store/feed";

const TITLE_MAX = 140;

/** `open`: start unfolded (the dashboard), else folded beside the stream. */
export function OwnerControls({ channel, open = false }: { channel: Channel; open?: boolean }) {
  const [title, setTitleText] = useState(channel.title);
  const [videoUrl, setVideoUrl] = useState(channel.broadcast?.videoUrl ?? channel.videoUrl ?? "");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const ids = useId();

  async function run(action: () => Promise<Channel>, done: string): Promise<void> {
    setBusy(true);
    setStatus(null);
    try {
      feedActions.setChannel(await action());
      setStatus({ ok: true, text: done });
    } catch (error) {
      setStatus({ ok: false, text: error instanceof ChorusError ? error.message : "That did not work. Try again." });
    } finally {
      setBusy(false);
    }
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void run(() => goLive(channel.name, { title, videoUrl }), channel.live ? "Stream updated." : "You are live.");
  };

  return (
    <details
      open={open}
      className="group rounded-lg border border-zinc-200 bg-white open:pb-3 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <summary className="cursor-pointer select-none px-3 py-2 font-medium text-sm">Stream settings</summary>
      <form
        onSubmit={submit}
        className="flex flex-col gap-3 px-3"
        aria-label="Stream settings"
        data-testid="owner-controls"
      >
        <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Title
          <input
            value={title}
            onChange={(e) => setTitleText(e.target.value)}
            maxLength={TITLE_MAX}
            className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
          />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Video source
          <input
            type="url"
            value={videoUrl}
            onChange={(e) => setVideoUrl(e.target.value)}
            placeholder="https://www.youtube.com/watch?v=… or https://…/live.m3u8"
            aria-describedby={`${ids}-video-help`}
            className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
          />
          <span id={`${ids}-video-help`} className="font-normal text-zinc-500">
            A YouTube link or an HLS (.m3u8) URL; used while you are live.
          </span>
        </label>
        <div className="flex flex-wrap gap-2">
          <button
            type="submit"
            disabled={busy}
            className="inline-flex items-center gap-1.5 rounded-md bg-red-600 px-3 py-1.5 font-medium text-sm text-white hover:bg-red-500 disabled:opacity-60"
          >
            <Radio className="size-4" aria-hidden="true" />
            {channel.live ? "Update stream" : "Go live"}
          </button>
          {channel.live ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => void run(() => endLive(channel.name), "The stream has ended.")}
              className="inline-flex items-center gap-1.5 rounded-md border border-zinc-300 px-3 py-1.5 font-medium text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              <Square className="size-4" aria-hidden="true" />
              End stream
            </button>
          ) : (
            <button
              type="button"
              disabled={busy}
              onClick={() => void run(() => setTitle(channel.name, title), "Title saved.")}
              className="inline-flex items-center gap-1.5 rounded-md border border-zinc-300 px-3 py-1.5 font-medium text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              <Save className="size-4" aria-hidden="true" />
              Save title
            </button>
          )}
        </div>
        {status && (
          <p
            role={status.ok ? "status" : "alert"}
            className={`text-xs ${status.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}`}
          >
            {status.text}
          </p>
        )}
      </form>
    </details>
  );
}
