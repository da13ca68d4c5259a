/**
 * An HLS stream. hls.js (loaded only when a stream needs it) plays it through Media Source
 * Extensions; browsers without MSE but with native HLS (iOS Safari) get the URL directly.
 */
import { useEffect, useRef, useState } from "react";

export function HlsVideo({ url, title }: { url: string; title: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    let cancelled = false;
    let destroy: (() => void) | undefined;
    setFailed(null);
    void import("hls.js").then(({ default: Hls }) => {
      if (cancelled) return;
      if (Hls.isSupported()) {
        const hls = new Hls({ lowLatencyMode: true, backBufferLength: 30 });
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (data.fatal) setFailed("The stream could not be played.");
        });
        hls.loadSource(url);
        hls.attachMedia(element);
        destroy = () => hls.destroy();
      } else if (element.canPlayType("application/vnd.apple.mpegurl")) {
        element.src = url;
        destroy = () => {
          element.removeAttribute("src");
          element.load();
        };
      } else {
        setFailed("This browser cannot play HLS streams.");
      }
    });
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [url]);

  return (
    <>
      <video
        ref={video}
        title={title}
        className="absolute inset-0 size-full bg-black"
        controls
        autoPlay
        muted
        playsInline
      />
      {failed && (
        <p role="status" className="absolute inset-x-0 bottom-12 text-center text-sm text-zinc-200">
          {failed}
        </p>
      )}
    </>
  );
}
