import type { Channel } from "@chorus/protocol";
import { Eye } from "lucide-react";
import { plural } from "../../lib/format";
import { channelPath, followLink } from "../../services/router";
import { LiveBadge } from "../LiveBadge/LiveBadge";

export function ChannelCard({ channel }: { channel: Channel }) {
  return (
    <li data-testid="channel-card" data-channel={channel.name} data-live={channel.live ? "" : undefined}>
      <a
        href={channelPath(channel.name)}
        onClick={followLink}
        className="group flex h-full flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white motion-safe:transition hover:border-violet-400 hover:shadow-md dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-violet-500"
      >
        <div
          className={`relative flex aspect-video items-center justify-center ${
            channel.live
              ? "bg-gradient-to-br from-violet-700 via-fuchsia-700 to-rose-600"
              : "bg-gradient-to-br from-zinc-700 to-zinc-900"
          }`}
        >
          <span aria-hidden="true" className="font-black text-5xl text-white/80 uppercase">
            {channel.name.slice(0, 1)}
          </span>
          <LiveBadge live={channel.live} className="absolute top-2 left-2" />
          {channel.live && (
            <span className="absolute bottom-2 left-2 inline-flex items-center gap-1 rounded bg-black/60 px-1.5 py-0.5 text-white text-xs">
              <Eye className="size-3.5" aria-hidden="true" />
              {plural(channel.viewers, "viewer", "viewers")}
            </span>
          )}
        </div>
        <div className="flex flex-col gap-0.5 p-3">
          <span className="truncate font-semibold group-hover:text-violet-700 dark:group-hover:text-violet-300">
            <bdi>{channel.title || channel.name}</bdi>
          </span>
          <span className="text-sm text-zinc-600 dark:text-zinc-400">
            <bdi>{channel.name}</bdi>
            {!channel.live && <> · {plural(channel.viewers, "viewer", "viewers")}</>}
          </span>
        </div>
      </a>
    </li>
  );
}
