/**
 * Past broadcasts, newest first: each links to its transcript and replay, with exports, and
 * shows its highlights on its timeline (a marker opens the replay there).
 */
import type { Broadcast } from "@chorus/protocol";
import { useEffect, useState } from "react";
import { formatSpan } from "../../lib/streamer";
import { followLink } from "../../services/router";
import { exportUrl, listBroadcasts } from "../../services/streamer";
import { useFeed } from "../../store/feed";
import { PastHighlights } from "../Analysis/BroadcastHighlights";
import { ErrorLine, errorText, formatWhen, Section } from "./ui";

export const broadcastPath = (channel: string, id: string): string =>
  `/c/${encodeURIComponent(channel)}/broadcasts/${encodeURIComponent(id)}`;

export function Broadcasts({ channel }: { channel: string }) {
  const [broadcasts, setBroadcasts] = useState<Broadcast[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Reload when a stream starts or ends (the feed's channel changes with it).
  const live = useFeed((s) => s.channel?.live ?? false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `live` changing is the reason to reload
  useEffect(() => {
    let stopped = false;
    listBroadcasts(channel).then(
      (list) => !stopped && setBroadcasts(list),
      (e: unknown) => !stopped && setError(errorText(e)),
    );
    return () => {
      stopped = true;
    };
  }, [channel, live]);
  return (
    <Section title="Past broadcasts" testId="broadcasts">
      {broadcasts !== null && broadcasts.length === 0 && <p className="text-sm text-zinc-500">No broadcasts yet.</p>}
      <ul className="flex flex-col divide-y divide-zinc-200 dark:divide-zinc-800">
        {broadcasts?.map((b) => (
          <li key={b.id} data-broadcast={b.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
            <a
              href={broadcastPath(channel, b.id)}
              onClick={followLink}
              className="font-medium text-violet-700 hover:underline dark:text-violet-300"
            >
              <bdi>{b.title || "Untitled broadcast"}</bdi>
            </a>
            <span className="text-xs text-zinc-500">
              {formatWhen(b.startedAt)} → {b.endedAt === null ? "live now" : formatWhen(b.endedAt)}
            </span>
            <span className="text-xs tabular-nums">
              {b.endedAt === null ? "" : `${formatSpan(b.endedAt - b.startedAt)} · `}
              <span data-part="count">{b.messageCount}</span> messages
            </span>
            <span className="ml-auto flex gap-2 text-xs">
              <a href={exportUrl(channel, b.id, "json")} download className="underline">
                JSON
              </a>
              <a href={exportUrl(channel, b.id, "csv")} download className="underline">
                CSV
              </a>
            </span>
            {b.endedAt !== null && <PastHighlights channel={channel} broadcast={b} />}
          </li>
        ))}
      </ul>
      <ErrorLine error={error} />
    </Section>
  );
}
