/**
 * Highlights of a broadcast on its timeline: the running one's (refreshed when stats arrive, at
 * most every 10 s) and a past one's (loaded once it scrolls into view). Choosing a highlight
 * opens the broadcast's replay at that moment.
 */
import type { Broadcast, Highlight } from "@chorus/protocol";
import { useEffect, useRef, useState } from "react";
import { fetchHighlights } from "../../services/analysis";
import { navigate } from "../../services/router";
import { analysisActions, useAnalysis } from "../../store/analysis";
import { HighlightTimeline } from "./HighlightTimeline";

const LIVE_REFRESH_MS = 10_000;

const replayPath = (channel: string, id: string): string =>
  `/c/${encodeURIComponent(channel)}/broadcasts/${encodeURIComponent(id)}`;

/** Opens `broadcastId`'s replay with its playhead at `highlight`. */
export function openHighlight(channel: string, broadcastId: string, highlight: Highlight): void {
  analysisActions.requestJump({ broadcastId, seq: highlight.seq, at: highlight.at });
  navigate(replayPath(channel, broadcastId));
}

export function LiveHighlights({ channel, broadcast }: { channel: string; broadcast: Broadcast | undefined }) {
  const statsAt = useAnalysis((s) => s.stats?.at ?? null);
  const [highlights, setHighlights] = useState<{ id: string; list: Highlight[] } | null>(null);
  const fetchedAt = useRef<{ id: string; at: number } | null>(null);
  const id = broadcast?.id;

  // biome-ignore lint/correctness/useExhaustiveDependencies: each stats event is a chance to refresh (throttled)
  useEffect(() => {
    if (id === undefined) return;
    const now = Date.now();
    const last = fetchedAt.current;
    if (last !== null && last.id === id && now - last.at < LIVE_REFRESH_MS) return;
    fetchedAt.current = { id, at: now };
    fetchHighlights(channel, id).then(
      (list) => {
        if (fetchedAt.current?.id === id) setHighlights({ id, list });
      },
      () => {},
    );
  }, [channel, id, statsAt]);

  if (broadcast === undefined)
    return <p className="text-sm text-zinc-500">Highlights appear here while you are live.</p>;
  const list = highlights?.id === broadcast.id ? highlights.list : [];
  return (
    <HighlightTimeline
      highlights={list}
      start={broadcast.startedAt}
      end={Math.max(statsAt ?? 0, Date.now(), ...list.map((h) => h.at))}
      onSelect={(h) => openHighlight(channel, broadcast.id, h)}
      testId="live-highlights"
    />
  );
}

/** A past broadcast's highlights, fetched when the strip first comes into view. */
export function PastHighlights({ channel, broadcast }: { channel: string; broadcast: Broadcast }) {
  const box = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const [list, setList] = useState<Highlight[] | null>(null);

  useEffect(() => {
    const element = box.current;
    if (element === null || visible) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setVisible(true);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [visible]);

  useEffect(() => {
    if (!visible) return;
    let stopped = false;
    fetchHighlights(channel, broadcast.id).then(
      (h) => !stopped && setList(h),
      () => !stopped && setList([]),
    );
    return () => {
      stopped = true;
    };
  }, [visible, channel, broadcast.id]);

  const end = broadcast.endedAt ?? Math.max(broadcast.startedAt, ...(list ?? []).map((h) => h.at));
  return (
    <div ref={box} className={list === null ? "h-px w-full" : "w-full"} data-part="highlights">
      {list !== null && list.length > 0 && (
        <HighlightTimeline
          highlights={list}
          start={broadcast.startedAt}
          end={end}
          onSelect={(h) => openHighlight(channel, broadcast.id, h)}
          compact={list.length > 8}
          testId="broadcast-highlights"
        />
      )}
    </div>
  );
}
