/** Viewers (live from `viewer_count` events, else the last poll) and the signed-in chatters. */
import type { ChannelUsers } from "@chorus/client";
import { useEffect, useState } from "react";
import { channelUsers } from "../../services/streamer";
import { useFeed } from "../../store/feed";
import { Section } from "./ui";

const POLL_MS = 10_000;

export function Audience({ channel }: { channel: string }) {
  const [users, setUsers] = useState<ChannelUsers | null>(null);
  const liveViewers = useFeed((s) => s.viewers);
  useEffect(() => {
    let stopped = false;
    const load = () =>
      channelUsers(channel).then(
        (u) => !stopped && setUsers(u),
        () => {},
      );
    void load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [channel]);
  const viewers = liveViewers ?? users?.viewers ?? null;
  return (
    <Section title="Audience" testId="audience">
      <p className="text-sm">
        <span data-testid="audience-viewers" className="font-semibold text-2xl tabular-nums">
          {viewers ?? "–"}
        </span>{" "}
        viewers · {users?.chatters.length ?? 0} signed-in chatters
      </p>
      {users && users.chatters.length > 0 && (
        <ul className="flex max-h-40 flex-wrap gap-1 overflow-y-auto text-xs">
          {users.chatters.slice(0, 200).map((c) => (
            <li key={c.username} className="rounded bg-zinc-100 px-1.5 py-0.5 dark:bg-zinc-800">
              <bdi>{c.displayName}</bdi>
              {c.role !== "viewer" && <span className="text-zinc-500"> · {c.role}</span>}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
