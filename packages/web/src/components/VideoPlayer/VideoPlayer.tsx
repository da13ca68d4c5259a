/**
 * The stream: a YouTube embed (youtube-nocookie.com) or an HLS stream while the channel is
 * live, a quiet placeholder otherwise. Always 16:9.
 */
import type { Channel } from "@chorus/protocol";
import { Radio, VideoOff } from "lucide-react";
import { parseVideoUrl } from "../../lib/video";
import { HlsVideo } from "../HlsVideo/HlsVideo";

export function VideoPlayer({ channel }: { channel: Channel }) {
  const source = channel.live ? parseVideoUrl(channel.broadcast?.videoUrl ?? channel.videoUrl) : undefined;
  return (
    <div data-testid="video" className="relative aspect-video w-full overflow-hidden bg-black">
      {source?.kind === "youtube" ? (
        <iframe
          src={source.embedUrl}
          title={`${channel.title || channel.name} — live video`}
          className="absolute inset-0 size-full"
          allow="autoplay; encrypted-media; picture-in-picture; fullscreen"
          allowFullScreen
          referrerPolicy="strict-origin-when-cross-origin"
          sandbox="allow-scripts allow-same-origin allow-presentation allow-popups allow-popups-to-escape-sandbox"
        />
      ) : source?.kind === "hls" ? (
        <HlsVideo url={source.url} title={channel.title || channel.name} />
      ) : (
        <Placeholder channel={channel} />
      )}
    </div>
  );
}

function Placeholder({ channel }: { channel: Channel }) {
  const Icon = channel.live ? Radio : VideoOff;
  return (
    <div
      data-testid="video-placeholder"
      className="absolute inset-0 flex flex-col items-center justify-center gap-3 bg-gradient-to-br from-zinc-800 via-zinc-900 to-violet-950 p-4 text-center text-zinc-300"
    >
      <Icon className="size-10 text-zinc-500" aria-hidden="true" />
      <p className="font-semibold text-lg text-zinc-100">
        <bdi>{channel.name}</bdi> {channel.live ? "is live" : "is offline"}
      </p>
      <p className="max-w-md text-sm text-zinc-400">
        {channel.live
          ? "This stream has no video here: the chat is where it happens."
          : "The chat stays open. Come back when the stream starts."}
      </p>
    </div>
  );
}
