/**
 * A past broadcast (`/c/<name>/broadcasts/<id>`): its transcript, searchable, with deleted
 * messages as placeholders (the server sends no text for them), exports, and a replay that
 * shows the chat as it was, up to a playhead moving at 0.5×–4× over the broadcast's time. The
 * broadcast's highlights (chat spikes) are markers on the replay's timeline: one jumps there.
 */
import type { Broadcast, Highlight, Message } from "@chorus/protocol";
import { ArrowLeft, Pause, Play } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { highlightPlayhead } from "../../lib/analysis";
import {
  advance,
  filterTranscript,
  formatSpan,
  REPLAY_SPEEDS,
  type ReplaySpeed,
  replaySpan,
  shownCount,
} from "../../lib/streamer";
import { fetchHighlights } from "../../services/analysis";
import { channelPath, followLink } from "../../services/router";
import { exportUrl, listBroadcasts, loadTranscript } from "../../services/streamer";
import { analysisActions, useAnalysis } from "../../store/analysis";
import { HighlightTimeline } from "../Analysis/HighlightTimeline";
import { BUTTON, ErrorLine, errorText, formatWhen, INPUT } from "../Dashboard/ui";
import { TranscriptRow } from "./TranscriptRow";

/** Rows rendered at once in either list: the newest ones (a replay shows the tail like a chat). */
const MAX_ROWS = 500;

export function TranscriptPage({ name, id }: { name: string; id: string }) {
  const [broadcast, setBroadcast] = useState<Broadcast | null>(null);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [highlights, setHighlights] = useState<Highlight[]>([]);

  useEffect(() => {
    let stopped = false;
    // A server without the analysis (or a broadcast without highlights) leaves the timeline bare.
    fetchHighlights(name, id).then(
      (list) => !stopped && setHighlights(list),
      () => {},
    );
    return () => {
      stopped = true;
    };
  }, [name, id]);

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([listBroadcasts(name), loadTranscript(name, id, abort.signal)]).then(
      ([list, transcript]) => {
        const found = list.find((b) => b.id === id) ?? null;
        setBroadcast(found);
        setMessages([...transcript].sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq));
        if (found === null) setError("This broadcast is not among the channel's latest 100.");
      },
      (e: unknown) => !abort.signal.aborted && setError(errorText(e)),
    );
    return () => abort.abort();
  }, [name, id]);

  useEffect(() => {
    document.title = `${broadcast?.title || "Broadcast"} · ${name} · Chorus`;
  }, [broadcast, name]);

  const filtered = useMemo(() => (messages ? filterTranscript(messages, query) : []), [messages, query]);

  return (
    <div className="h-full overflow-y-auto" data-testid="transcript-page">
      <div className="mx-auto flex max-w-6xl flex-col gap-4 p-4">
        <header className="flex flex-wrap items-center gap-3">
          <a
            href={channelPath(name)}
            onClick={followLink}
            className="inline-flex items-center gap-1 text-sm text-violet-700 hover:underline dark:text-violet-300"
          >
            <ArrowLeft className="size-4" aria-hidden="true" /> Channel
          </a>
          <h1 className="font-semibold text-lg">
            <bdi>{broadcast?.title || "Broadcast"}</bdi>
          </h1>
          {broadcast && (
            <span className="text-sm text-zinc-500">
              {formatWhen(broadcast.startedAt)}
              {broadcast.endedAt !== null && ` · ${formatSpan(broadcast.endedAt - broadcast.startedAt)}`} ·{" "}
              {broadcast.messageCount} messages
            </span>
          )}
          <span className="ml-auto flex gap-2">
            <a href={exportUrl(name, id, "json")} download className={BUTTON} data-testid="export-json">
              Export JSON
            </a>
            <a href={exportUrl(name, id, "csv")} download className={BUTTON} data-testid="export-csv">
              Export CSV
            </a>
          </span>
        </header>
        <ErrorLine error={error} />
        {messages === null && error === null && <p className="text-sm text-zinc-500">Loading the transcript…</p>}
        {messages && (
          <div className="grid gap-4 lg:grid-cols-2">
            <section aria-label="Transcript" className="flex min-h-0 flex-col gap-2">
              <input
                type="search"
                aria-label="Search the transcript"
                placeholder="Search messages and authors"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                className={INPUT}
              />
              <p className="text-xs text-zinc-500" data-testid="transcript-count">
                {filtered.length} of {messages.length} messages
              </p>
              <ol
                data-testid="transcript"
                className="max-h-[70vh] overflow-y-auto rounded-lg border border-zinc-200 bg-white py-1 dark:border-zinc-800 dark:bg-zinc-900"
              >
                {filtered.slice(0, MAX_ROWS).map((m) => (
                  <TranscriptRow key={m.id} message={m} />
                ))}
              </ol>
            </section>
            {broadcast && <Replay broadcast={broadcast} messages={messages} highlights={highlights} />}
          </div>
        )}
      </div>
    </div>
  );
}

function Replay({
  broadcast,
  messages,
  highlights,
}: {
  broadcast: Broadcast;
  messages: readonly Message[];
  highlights: readonly Highlight[];
}) {
  const span = useMemo(
    () => replaySpan(broadcast.startedAt, broadcast.endedAt, messages),
    [broadcast.startedAt, broadcast.endedAt, messages],
  );
  const [at, setAt] = useState(span.start);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<ReplaySpeed>(1);
  const listRef = useRef<HTMLOListElement>(null);
  const pendingJump = useAnalysis((s) => s.pendingJump);

  const jump = (highlight: Pick<Highlight, "at" | "seq">): void => {
    setAt(Math.min(span.end, Math.max(span.start, highlightPlayhead(highlight, messages))));
  };

  // Opened from a highlight elsewhere (the dashboard): start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new request (or this broadcast's messages) moves the playhead
  useEffect(() => {
    if (pendingJump === null || pendingJump.broadcastId !== broadcast.id) return;
    analysisActions.requestJump(null);
    jump(pendingJump);
  }, [pendingJump, broadcast.id]);

  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      const elapsed = now - last;
      last = now;
      setAt((current) => {
        const next = advance(current, elapsed, speed, span.end);
        if (next >= span.end) setPlaying(false);
        return next;
      });
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, speed, span.end]);

  const count = shownCount(messages, at);
  const shown = messages.slice(Math.max(0, count - MAX_ROWS), count);

  // Follow the newest message, as a live chat does.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the shown count changes
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [count]);

  const toggle = (): void => {
    if (!playing && at >= span.end) setAt(span.start);
    setPlaying(!playing);
  };

  return (
    <section aria-label="Chat replay" data-testid="replay" className="flex min-h-0 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={toggle} className={BUTTON} aria-label={playing ? "Pause" : "Play"}>
          {playing ? <Pause className="size-4" aria-hidden="true" /> : <Play className="size-4" aria-hidden="true" />}
          {playing ? "Pause" : "Play"}
        </button>
        <input
          type="range"
          aria-label="Replay position"
          min={span.start}
          max={span.end}
          step={100}
          value={at}
          onChange={(e) => setAt(Number(e.target.value))}
          className="min-w-40 flex-1"
        />
        <span className="text-xs tabular-nums" data-testid="replay-clock">
          {formatSpan(at - span.start)} / {formatSpan(span.end - span.start)}
        </span>
        <fieldset className="flex gap-1 text-xs">
          <legend className="sr-only">Speed</legend>
          {REPLAY_SPEEDS.map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={speed === s}
              onClick={() => setSpeed(s)}
              className={`${BUTTON} px-1.5 ${speed === s ? "bg-violet-600 text-white hover:bg-violet-500" : ""}`}
            >
              {s}×
            </button>
          ))}
        </fieldset>
      </div>
      <HighlightTimeline
        highlights={highlights}
        start={span.start}
        end={span.end}
        onSelect={jump}
        testId="replay-highlights"
        empty="No highlights: the chat never spiked."
      />
      <ol
        ref={listRef}
        data-testid="replay-chat"
        data-shown={count}
        className="h-[60vh] overflow-y-auto rounded-lg border border-zinc-200 bg-white py-1 dark:border-zinc-800 dark:bg-zinc-900"
      >
        {shown.map((m) => (
          <TranscriptRow key={m.id} message={m} />
        ))}
      </ol>
    </section>
  );
}
