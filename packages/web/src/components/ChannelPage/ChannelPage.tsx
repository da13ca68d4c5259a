/**
 * A channel: the stream beside the chat on wide screens, stacked (video, title, chat) on
 * phones. Opening the page opens the channel's feed; leaving closes it.
 */
import { useEffect } from "react";
import { openChannel } from "../../services/channel-feed";
import { watchModeration } from "../../services/moderation";
import { useFeed } from "../../store/feed";
import { useSession } from "../../store/session";
import { ChannelHeader } from "../ChannelHeader/ChannelHeader";
import { ChatPanel } from "../ChatPanel/ChatPanel";
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
      <ChatPanel
        channel={name}
        className="min-h-0 flex-1 border-zinc-200 max-lg:border-t lg:w-[22rem] lg:flex-none lg:border-l dark:border-zinc-800"
      />
    </div>
  );
}
