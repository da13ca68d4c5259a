/**
 * The streamer's dashboard (`/c/<name>/dashboard`, the owner and admins): the live chat
 * analysis, stream controls, audience, connectors, ingest keys, the simulator and past broadcasts. It opens the channel's
 * feed like the channel page, so live state and the viewer count update from the same events.
 */
import { ArrowLeft } from "lucide-react";
import { useEffect } from "react";
import { openChannel } from "../../services/channel-feed";
import { channelPath, followLink } from "../../services/router";
import { useFeed } from "../../store/feed";
import { useSession } from "../../store/session";
import { LiveAnalysis } from "../Analysis/LiveAnalysis";
import { LiveBadge } from "../LiveBadge/LiveBadge";
import { NotFound } from "../NotFound/NotFound";
import { OwnerControls } from "../OwnerControls/OwnerControls";
import { Audience } from "./Audience";
import { Broadcasts } from "./Broadcasts";
import { Connectors } from "./Connectors";
import { IngestKeys } from "./IngestKeys";
import { Simulator } from "./Simulator";

export const dashboardPath = (name: string): string => `${channelPath(name)}/dashboard`;

export function Dashboard({ name }: { name: string }) {
  useEffect(() => openChannel(name), [name]);
  const channel = useFeed((s) => s.channel);
  const status = useFeed((s) => s.status);
  const error = useFeed((s) => s.error);
  const user = useSession((s) => s.user);
  const checked = useSession((s) => s.checked);

  useEffect(() => {
    document.title = `Dashboard · ${name} · Chorus`;
  }, [name]);

  if (status === "not_found") return <NotFound what={`There is no channel called “${name}”.`} />;
  if (status === "error")
    return (
      <p role="alert" className="p-4 text-red-700 text-sm dark:text-red-300">
        The channel could not be loaded: {error}
      </p>
    );
  if (channel === null || !checked) return <p className="p-4 text-sm text-zinc-500">Loading…</p>;
  const allowed = user !== null && (user.isAdmin || channel.ownerId === user.id);
  if (!allowed)
    return (
      <p role="alert" className="p-4 text-sm">
        Only the channel's owner can open its dashboard.{" "}
        <a href={channelPath(name)} onClick={followLink} className="underline">
          Back to the channel
        </a>
      </p>
    );

  return (
    <div className="h-full overflow-y-auto" data-testid="dashboard">
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
            Dashboard · <bdi>{channel.name}</bdi>
          </h1>
          <LiveBadge live={channel.live} />
        </header>
        <LiveAnalysis
          key={channel.name}
          channel={channel.name}
          broadcast={channel.live ? channel.broadcast : undefined}
          canEdit
        />
        <div className="grid gap-4 lg:grid-cols-2">
          <div className="flex flex-col gap-4">
            <OwnerControls key={channel.name} channel={channel} open />
            <Audience channel={channel.name} />
            <Connectors channel={channel.name} />
            <IngestKeys channel={channel.name} />
          </div>
          <div className="flex flex-col gap-4">
            <Simulator channel={channel.name} />
            <Broadcasts channel={channel.name} />
          </div>
        </div>
      </div>
    </div>
  );
}
