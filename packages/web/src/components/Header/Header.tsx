import { MessagesSquare } from "lucide-react";
import { followLink } from "../../services/router";
import { ThemeToggle } from "../ThemeToggle/ThemeToggle";
import { UserMenu } from "../UserMenu/UserMenu";

export function Header() {
  return (
    <header className="flex h-12 shrink-0 items-center justify-between gap-3 border-zinc-200 border-b bg-white px-3 dark:border-zinc-800 dark:bg-zinc-900">
      <a href="/" onClick={followLink} className="flex items-center gap-2 rounded-md font-bold text-lg tracking-tight">
        <MessagesSquare className="size-5 text-violet-600 dark:text-violet-400" aria-hidden="true" />
        Chorus
      </a>
      <nav aria-label="Account" className="flex min-w-0 items-center gap-1">
        <UserMenu />
        <ThemeToggle />
      </nav>
    </header>
  );
}
