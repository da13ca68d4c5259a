/**
 * What a channel's `videoUrl` points at. YouTube links of every usual shape become a
 * privacy-enhanced embed (youtube-nocookie.com, the only YouTube origin besides youtube.com
 * that the page's CSP lets into a frame); any other http(s) URL is played as HLS. Pure.
 */
export type VideoSource = { kind: "youtube"; videoId: string; embedUrl: string } | { kind: "hls"; url: string };

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_HOSTS = new Set([
  "youtube.com",
  "www.youtube.com",
  "m.youtube.com",
  "youtube-nocookie.com",
  "www.youtube-nocookie.com",
]);

export function parseVideoUrl(raw: string | null | undefined): VideoSource | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  const host = url.hostname.toLowerCase();
  const id = youtubeId(url, host);
  if (id !== undefined) {
    return {
      kind: "youtube",
      videoId: id,
      embedUrl: `https://www.youtube-nocookie.com/embed/${id}?autoplay=1&mute=1&playsinline=1&rel=0`,
    };
  }
  if (YOUTUBE_HOSTS.has(host) || host === "youtu.be") return undefined; // a YouTube page that is not a video
  return { kind: "hls", url: url.href };
}

function youtubeId(url: URL, host: string): string | undefined {
  let candidate: string | undefined;
  if (host === "youtu.be") candidate = url.pathname.split("/")[1];
  else if (YOUTUBE_HOSTS.has(host)) {
    const parts = url.pathname.split("/").filter((p) => p.length > 0);
    if (parts[0] === "watch") candidate = url.searchParams.get("v") ?? undefined;
    else if (parts[0] === "embed" || parts[0] === "live" || parts[0] === "shorts" || parts[0] === "v")
      candidate = parts[1];
  }
  return candidate !== undefined && YOUTUBE_ID.test(candidate) ? candidate : undefined;
}
