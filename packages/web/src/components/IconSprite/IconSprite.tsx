/**
 * The icons that appear on every chat row (badges, platform marks), drawn once as <symbol>s
 * and referenced with <use>. A busy chat mounts dozens of rows per frame; a lucide component
 * per badge is an <svg> with several paths and a dozen attributes each, while a <use> is two
 * elements.
 */
import {
  Bot,
  Eye,
  Gem,
  Globe,
  Lock,
  type LucideIcon,
  Sparkles,
  Star,
  Sword,
  UserRound,
  Video,
  Wrench,
} from "lucide-react";
import type { ReactNode } from "react";

const LUCIDE = {
  broadcaster: Video,
  moderator: Sword,
  vip: Gem,
  subscriber: Star,
  staff: Wrench,
  bot: Bot,
  guest: UserRound,
  globe: Globe,
  // Moderators' row marks.
  monitored: Eye,
  restricted: Lock,
  first: Sparkles,
} satisfies Record<string, LucideIcon>;

const MARKS = {
  twitch: (
    <path
      fill="#9146ff"
      d="M3 1.5 1.5 6v15h5.25v3h3l3-3h4.5l5.25-5.25V1.5H3Zm17.25 13.2-3 3H12l-3 3v-3H4.8V3.75h15.45v10.95ZM15.75 6.75H18v6h-2.25v-6Zm-5.25 0h2.25v6H10.5v-6Z"
    />
  ),
  youtube: (
    <>
      <rect x="0.75" y="4.5" width="22.5" height="15" rx="4.5" fill="#ff0000" />
      <path fill="#fff" d="m9.75 8.25 6 3.75-6 3.75z" />
    </>
  ),
  kick: (
    <>
      <rect width="24" height="24" rx="4.5" fill="#53fc18" />
      <path fill="#000" d="M6 4.5h3.75V9H12V6.75h2.25V4.5H18v5.25h-2.25V12H18v7.5h-3.75v-2.25H12V15H9.75v4.5H6z" />
    </>
  ),
} satisfies Record<string, ReactNode>;

export type IconName = keyof typeof LUCIDE | keyof typeof MARKS;

const symbolId = (name: IconName): string => `chorus-icon-${name}`;

export function IconSprite() {
  return (
    <svg aria-hidden="true" width="0" height="0" className="absolute">
      <defs>
        {Object.entries(LUCIDE).map(([name, Icon]) => (
          <symbol key={name} id={symbolId(name as IconName)} viewBox="0 0 24 24">
            <Icon />
          </symbol>
        ))}
        {Object.entries(MARKS).map(([name, shape]) => (
          <symbol key={name} id={symbolId(name as IconName)} viewBox="0 0 24 24">
            {shape}
          </symbol>
        ))}
      </defs>
    </svg>
  );
}

export function SpriteIcon({ name, className }: { name: IconName; className: string }) {
  return (
    <svg aria-hidden="true" className={className}>
      <use href={`#${symbolId(name)}`} />
    </svg>
  );
}
