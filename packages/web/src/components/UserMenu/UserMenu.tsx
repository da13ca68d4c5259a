/** Who is signed in, and the way out. */
import { LogOut } from "lucide-react";
import { type CSSProperties, useState } from "react";
import { readableNameColors } from "../../lib/color";
import { logout } from "../../services/session";
import { useSession } from "../../store/session";

export function UserMenu() {
  const user = useSession((s) => s.user);
  const [busy, setBusy] = useState(false);
  if (!user) return null;
  const colors = readableNameColors(user.color, user.username);
  return (
    <div className="flex min-w-0 items-center gap-2 text-sm">
      <span className="min-w-0 truncate" data-testid="signed-in-as">
        <span className="sr-only">Signed in as </span>
        <bdi
          className="author-name font-semibold"
          style={{ "--name-dark": colors.dark, "--name-light": colors.light } as CSSProperties}
        >
          {user.displayName}
        </bdi>
        {user.isGuest && <span className="ml-1 text-xs text-zinc-500">(guest)</span>}
      </span>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void logout().finally(() => setBusy(false));
        }}
        aria-label="Log out"
        title="Log out"
        className="rounded-md p-2 text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
      >
        <LogOut className="size-4" aria-hidden="true" />
      </button>
    </div>
  );
}
