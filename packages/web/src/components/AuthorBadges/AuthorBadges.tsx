/**
 * Role and status badges before an author's name. Known badges get an icon with an accessible
 * label; an unknown one (a bridge may send anything) is shown as its text.
 */
import { type IconName, SpriteIcon } from "../IconSprite/IconSprite";

const KNOWN: Record<string, { icon: IconName; label: string; className: string }> = {
  broadcaster: { icon: "broadcaster", label: "Broadcaster", className: "text-red-500" },
  owner: { icon: "broadcaster", label: "Broadcaster", className: "text-red-500" },
  moderator: { icon: "moderator", label: "Moderator", className: "text-emerald-500" },
  vip: { icon: "vip", label: "VIP", className: "text-pink-500" },
  subscriber: { icon: "subscriber", label: "Subscriber", className: "text-violet-500" },
  staff: { icon: "staff", label: "Staff", className: "text-sky-500" },
  bot: { icon: "bot", label: "Bot", className: "text-zinc-500" },
  guest: { icon: "guest", label: "Guest", className: "text-zinc-400 dark:text-zinc-500" },
};

export function AuthorBadges({ badges }: { badges: readonly string[] }) {
  if (badges.length === 0) return null;
  return (
    <>
      {badges.slice(0, 5).map((badge) => {
        const known = Object.hasOwn(KNOWN, badge) ? KNOWN[badge] : undefined;
        if (!known)
          return (
            <span
              key={badge}
              className="mr-1 rounded bg-zinc-200 px-1 align-middle text-[0.6rem] text-zinc-600 uppercase dark:bg-zinc-800 dark:text-zinc-400"
            >
              <bdi>{badge.slice(0, 20)}</bdi>
            </span>
          );
        return (
          <span
            key={badge}
            role="img"
            aria-label={known.label}
            title={known.label}
            className="mr-1 inline-block align-[-0.15em]"
          >
            <SpriteIcon name={known.icon} className={`size-3.5 ${known.className}`} />
          </span>
        );
      })}
    </>
  );
}
