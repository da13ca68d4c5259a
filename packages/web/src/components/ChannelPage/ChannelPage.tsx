/**
 * A channel: the stream beside the chat on wide screens, stacked (video, title, chat) on
 * phones. Opening the page opens the channel's feed; leaving closes it. The reader's optional
 * chat extras (a "catch me up" summary above the chat, sentiment colours) switch on below the title.
 */
import { LayoutDashboard } from "lucide-react";
import { useEffect } from "react";
import { openChannel } from "../../services/channel-feed";
import { watchModeration } from "../../services/moderation";
import { followLink } from "../../services/router";
import { useFeed } from "../../store/feed";
import { useSession } from "../../store/session";
import { AnalysisToggles, CatchMeUp } from "../Analysis/ViewerAnalysis";
import { ChannelHeader } from "../ChannelHeader/ChannelHeader";
import { ChatPanel } from "../ChatPanel/ChatPanel";
import { dashboardPath } from "../Dashboard/Dashboard";
import { NotFound } from "../NotFound/NotFound";
import { OwnerControls } from "../OwnerControls/OwnerControls";
import { VideoPlayer } from "../VideoPlayer/VideoPlayer";

export function ChannelPage({ name }: { name: string }) {
  useEffect(() => openChannel(name), [name]);
  useEffect(() => watchModeration(name.toLowerCase()), [name]);
  const channel = useFeed((s) => s.channel);
  const status = useFeed((s) => s.status);
  const error = useFeed((s) => s.error);
  const userId = useSession((s) => s.user?.id);
  const isAdmin = useSession((s) => s.user?.isAdmin === true);

  useEffect(() => {
    document.title = channel ? `${channel.title || channel.name} · Chorus` : "Chorus";
  }, [channel]);

  if (status === "not_found") return <NotFound what={`There is no channel called “${name}”.`} />;

  const isOwner = channel !== null && userId !== undefined && channel.ownerId === userId;
  return (
    <div className="flex h-full min-h-0 flex-col lg:flex-row" data-testid="channel-page">
      <section aria-label="Stream" data-testid="stream" className="shrink-0 lg:min-w-0 lg:flex-1 lg:overflow-y-auto">
        {channel ? (
          <>
            <VideoPlayer channel={channel} />
            <div className="flex flex-col gap-3 p-3 lg:p-4">
              <ChannelHeader channel={channel} />
              <AnalysisToggles />
              {(isOwner || isAdmin) && (
                <a
                  href={dashboardPath(channel.name)}
                  onClick={followLink}
                  data-testid="dashboard-link"
                  className="inline-flex items-center gap-1.5 self-start text-sm font-medium text-violet-700 hover:underline dark:text-violet-300"
                >
                  <LayoutDashboard className="size-4" aria-hidden="true" /> Streamer dashboard
                </a>
              )}
              {isOwner && <OwnerControls key={channel.name} channel={channel} />}
            </div>
          </>
        ) : (
          <div className="aspect-video w-full motion-safe:animate-pulse bg-zinc-800" aria-hidden="true" />
        )}
        {status === "error" && (
          <p role="alert" className="p-3 text-sm text-red-700 dark:text-red-300">
            The channel could not be loaded: {error}
          </p>
        )}
      </section>
      <div className="flex min-h-0 flex-1 flex-col border-zinc-200 max-lg:border-t lg:w-[22rem] lg:flex-none lg:border-l dark:border-zinc-800">
        <CatchMeUp channel={name.toLowerCase()} />
        <ChatPanel channel={name} className="min-h-0 flex-1" />
      </div>
    </div>
  );
}
