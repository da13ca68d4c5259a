/**
 * Role and status badges before an author's name. Known badges get an icon with an accessible
 * label; platform badges without an icon of ours (founder, member, verified, og…) a short
 * chip; months (`subscriber/14`) go into the label and tooltip. An unknown badge (a bridge may
 * send anything) is shown as its text.
 */
import { type BadgeKind, describeBadge } from "../../lib/streamer";
import { type IconName, SpriteIcon } from "../IconSprite/IconSprite";

const ICONS: Partial<Record<BadgeKind, { icon: IconName; className: string }>> = {
  broadcaster: { icon: "broadcaster", className: "text-red-500" },
  moderator: { icon: "moderator", className: "text-emerald-500" },
  vip: { icon: "vip", className: "text-pink-500" },
  subscriber: { icon: "subscriber", className: "text-violet-500" },
  staff: { icon: "staff", className: "text-sky-500" },
  bot: { icon: "bot", className: "text-zinc-500" },
  guest: { icon: "guest", className: "text-zinc-400 dark:text-zinc-500" },
};

const CHIPS: Partial<Record<BadgeKind, { text: string; className: string }>> = {
  founder: { text: "Founder", className: "bg-amber-200 text-amber-900 dark:bg-amber-900/50 dark:text-amber-200" },
  member: { text: "Member", className: "bg-emerald-200 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-200" },
  verified: { text: "✓", className: "bg-sky-200 text-sky-900 dark:bg-sky-900/50 dark:text-sky-200" },
  partner: { text: "Partner", className: "bg-violet-200 text-violet-900 dark:bg-violet-900/50 dark:text-violet-200" },
  og: { text: "OG", className: "bg-lime-200 text-lime-900 dark:bg-lime-900/50 dark:text-lime-200" },
  turbo: { text: "Turbo", className: "bg-indigo-200 text-indigo-900 dark:bg-indigo-900/50 dark:text-indigo-200" },
  prime: { text: "Prime", className: "bg-blue-200 text-blue-900 dark:bg-blue-900/50 dark:text-blue-200" },
};

const CHIP = "mr-1 rounded px-1 align-middle text-[0.6rem] uppercase";

export function AuthorBadges({ badges }: { badges: readonly string[] }) {
  if (badges.length === 0) return null;
  return (
    <>
      {badges.slice(0, 5).map((badge) => {
        const info = describeBadge(badge);
        const icon = ICONS[info.kind];
        if (icon)
          return (
            <span
              key={badge}
              role="img"
              aria-label={info.label}
              title={info.label}
              data-badge={info.kind}
              className="mr-1 inline-block align-[-0.15em]"
            >
              <SpriteIcon name={icon.icon} className={`size-3.5 ${icon.className}`} />
            </span>
          );
        const chip = CHIPS[info.kind];
        if (chip)
          return (
            <span
              key={badge}
              role="img"
              aria-label={info.label}
              title={info.label}
              data-badge={info.kind}
              className={`${CHIP} ${chip.className}`}
            >
              {chip.text}
            </span>
          );
        return (
          <span key={badge} className={`${CHIP} bg-zinc-200 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400`}>
            <bdi>{info.label}</bdi>
          </span>
        );
      })}
    </>
  );
}
