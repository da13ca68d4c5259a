/**
 * Where a message was written. Messages written here show nothing; bridged ones show their
 * platform's mark (drawn in IconSprite: lucide has no brand icons) or a globe.
 */
import { type IconName, SpriteIcon } from "../IconSprite/IconSprite";

const MARKED: Record<string, IconName> = { twitch: "twitch", youtube: "youtube", kick: "kick" };

export function PlatformIcon({ platform }: { platform: string }) {
  if (platform === "chorus") return null;
  const label = `from ${platform.slice(0, 20)}`;
  const icon = Object.hasOwn(MARKED, platform) ? (MARKED[platform] ?? "globe") : "globe";
  return (
    <span role="img" aria-label={label} title={label} className="mr-1 inline-block align-[-0.15em]">
      <SpriteIcon name={icon} className={`size-3.5 ${icon === "globe" ? "text-zinc-500" : ""}`} />
    </span>
  );
}
