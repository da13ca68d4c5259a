/**
 * CrossChat's simulator: sends messages as if from Twitch, YouTube, Kick or a generic bridge
 * through the real ingest path (with an ingest key it makes for itself), one at a time or as a
 * burst of N messages a second for S seconds, and counts what the pipeline did with them.
 */
import { INGEST_PLATFORMS, type IngestPlatform } from "@chorus/client";
import { Send, Zap } from "lucide-react";
import { type FormEvent, useRef, useState } from "react";
import { batches, burstItems, EMPTY_TALLY, platformBadges, type Tally, tally } from "../../lib/streamer";
import { simulate } from "../../services/streamer";
import { BUTTON, ErrorLine, errorText, INPUT, PRIMARY, Section } from "./ui";

const MAX_RATE = 500;
const MAX_SECONDS = 60;

const runId = (): string => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export function Simulator({ channel }: { channel: string }) {
  const [platform, setPlatform] = useState<IngestPlatform>("twitch");
  const [username, setUsername] = useState("sim_viewer");
  const [color, setColor] = useState("#9146ff");
  const [roles, setRoles] = useState({ vip: false, mod: false, sub: false });
  const [text, setText] = useState("");
  const [rate, setRate] = useState(10);
  const [seconds, setSeconds] = useState(2);
  const [counts, setCounts] = useState<Tally | null>(null);
  const [lastResult, setLastResult] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef(false);

  const send = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (text.trim() === "" || username.trim() === "") return;
    setError(null);
    try {
      const [result] = await simulate(channel, platform, [
        {
          externalId: runId(),
          username: username.trim(),
          displayName: username.trim(),
          color,
          badges: platformBadges(platform, roles),
          text,
        },
      ]);
      setLastResult(result ? `${result.status}${result.code ? ` (${result.code})` : ""}` : null);
      if (result?.status !== "rejected") setText("");
    } catch (e) {
      setError(errorText(e));
    }
  };

  const burst = async (): Promise<void> => {
    const perSecond = Math.max(1, Math.min(MAX_RATE, Math.floor(rate)));
    const duration = Math.max(1, Math.min(MAX_SECONDS, Math.floor(seconds)));
    const id = runId();
    stop.current = false;
    setRunning(true);
    setError(null);
    setCounts(EMPTY_TALLY);
    try {
      for (let s = 0; s < duration && !stop.current; s++) {
        const began = performance.now();
        const items = burstItems(perSecond, `${id}-${s}`);
        await Promise.all(
          batches(items).map(async (b) => {
            const results = await simulate(channel, b.platform, b.items);
            setCounts((c) => tally(c ?? EMPTY_TALLY, results));
          }),
        );
        const wait = 1000 - (performance.now() - began);
        if (s < duration - 1 && wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setRunning(false);
    }
  };

  return (
    <Section title="Simulator" testId="simulator">
      <form onSubmit={(e) => void send(e)} className="flex flex-col gap-2" aria-label="Simulate a message">
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col gap-1 text-xs">
            Platform
            <select
              value={platform}
              onChange={(e) => setPlatform(INGEST_PLATFORMS.find((p) => p === e.target.value) ?? "twitch")}
              className={INPUT}
            >
              {INGEST_PLATFORMS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-1 flex-col gap-1 text-xs">
            Username
            <input value={username} onChange={(e) => setUsername(e.target.value)} maxLength={25} className={INPUT} />
          </label>
          <label className="flex flex-col gap-1 text-xs">
            Colour
            <input
              type="color"
              value={color}
              onChange={(e) => setColor(e.target.value)}
              className="h-8 w-12 rounded border border-zinc-300 dark:border-zinc-700"
            />
          </label>
        </div>
        <fieldset className="flex gap-3 text-xs">
          <legend className="sr-only">Badges</legend>
          {(["vip", "mod", "sub"] as const).map((r) => (
            <label key={r} className="flex items-center gap-1">
              <input
                type="checkbox"
                checked={roles[r]}
                onChange={(e) => setRoles({ ...roles, [r]: e.target.checked })}
              />
              {r.toUpperCase()}
            </label>
          ))}
        </fieldset>
        <div className="flex gap-2">
          <input
            aria-label="Simulated message"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={500}
            placeholder="Say something as this viewer"
            className={`${INPUT} flex-1`}
          />
          <button type="submit" className={PRIMARY}>
            <Send className="size-4" aria-hidden="true" /> Send
          </button>
        </div>
        {lastResult && (
          <p data-testid="sim-result" className="text-xs text-zinc-600 dark:text-zinc-400">
            Last message: {lastResult}
          </p>
        )}
      </form>
      <div className="flex flex-wrap items-end gap-2 border-zinc-200 border-t pt-3 dark:border-zinc-800">
        <label className="flex flex-col gap-1 text-xs">
          Messages / s
          <input
            type="number"
            min={1}
            max={MAX_RATE}
            value={rate}
            onChange={(e) => setRate(Number(e.target.value))}
            className={`${INPUT} w-24`}
          />
        </label>
        <label className="flex flex-col gap-1 text-xs">
          Seconds
          <input
            type="number"
            min={1}
            max={MAX_SECONDS}
            value={seconds}
            onChange={(e) => setSeconds(Number(e.target.value))}
            className={`${INPUT} w-20`}
          />
        </label>
        {running ? (
          <button type="button" className={BUTTON} onClick={() => (stop.current = true)}>
            Stop
          </button>
        ) : (
          <button type="button" className={BUTTON} onClick={() => void burst()}>
            <Zap className="size-4" aria-hidden="true" /> Burst
          </button>
        )}
      </div>
      {counts && (
        <p data-testid="burst-counts" aria-live="polite" className="text-xs tabular-nums">
          <span data-count="published">{counts.published}</span> published ·{" "}
          <span data-count="duplicate">{counts.duplicate}</span> duplicate ·{" "}
          <span data-count="held">{counts.held}</span> held · <span data-count="rejected">{counts.rejected}</span>{" "}
          rejected
          {running ? " …" : ""}
        </p>
      )}
      <ErrorLine error={error} />
    </Section>
  );
}
