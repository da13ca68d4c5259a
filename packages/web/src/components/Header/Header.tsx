import { MessagesSquare, ShieldBan } from "lucide-react";
import { SITE_BANS_PATH } from "../../services/admin-bans";
import { followLink } from "../../services/router";
import { useSession } from "../../store/session";
import { ThemeToggle } from "../ThemeToggle/ThemeToggle";
import { UserMenu } from "../UserMenu/UserMenu";

export function Header() {
  const isAdmin = useSession((s) => s.user?.isAdmin === true);
  return (
    <header className="flex h-12 shrink-0 items-center justify-between gap-3 border-zinc-200 border-b bg-white px-3 dark:border-zinc-800 dark:bg-zinc-900">
      <a href="/" onClick={followLink} className="flex items-center gap-2 rounded-md font-bold text-lg tracking-tight">
        <MessagesSquare className="size-5 text-violet-600 dark:text-violet-400" aria-hidden="true" />
        Chorus
      </a>
      <nav aria-label="Account" className="flex min-w-0 items-center gap-1">
        {isAdmin && (
          <a
            href={SITE_BANS_PATH}
            onClick={followLink}
            className="flex shrink-0 items-center gap-1 rounded-md px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <ShieldBan className="size-4" aria-hidden="true" />
            Site bans
          </a>
        )}
        <UserMenu />
        <ThemeToggle />
      </nav>
    </header>
  );
}
