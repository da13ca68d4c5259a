/** Title, live state and viewer count of the open channel. */
import type { Channel } from "@chorus/protocol";
import { Eye } from "lucide-react";
import { plural } from "../../lib/format";
import { useFeed } from "../../store/feed";
import { LiveBadge } from "../LiveBadge/LiveBadge";

export function ChannelHeader({ channel }: { channel: Channel }) {
  const viewers = useFeed((s) => s.viewers ?? channel.viewers);
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <div className="flex min-w-0 items-center gap-2">
        <LiveBadge live={channel.live} />
        <h1 className="truncate font-semibold text-base lg:text-lg" data-testid="channel-title">
          <bdi>{channel.title || channel.name}</bdi>
        </h1>
      </div>
      <p className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
        <bdi className="font-medium">{channel.name}</bdi>
        <span className="inline-flex items-center gap-1" data-testid="viewer-count">
          <Eye className="size-4" aria-hidden="true" />
          {plural(viewers, "viewer", "viewers")}
        </span>
      </p>
    </div>
  );
}
