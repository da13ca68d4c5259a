/** The chat column: connection state, the list, and the send box (or the way in). */
import { MessageSquare, Users } from "lucide-react";
import { formatCount } from "../../lib/format";
import { useFeed } from "../../store/feed";
import { useSession } from "../../store/session";
import { AuthPanel } from "../AuthPanel/AuthPanel";
import { Composer } from "../Composer/Composer";
import { ConnectionIndicator } from "../ConnectionIndicator/ConnectionIndicator";
import { MessageList } from "../MessageList/MessageList";

export function ChatPanel({ channel, className = "" }: { channel: string; className?: string }) {
  const user = useSession((s) => s.user);
  const checked = useSession((s) => s.checked);
  const viewers = useFeed((s) => s.viewers ?? s.channel?.viewers ?? null);
  const guestsAllowed = useFeed((s) => s.channel?.settings.guestsAllowed ?? true);
  const loading = useFeed((s) => s.status === "loading");
  return (
    <section
      aria-label="Chat"
      data-testid="chat-panel"
      className={`flex min-h-0 flex-col bg-white dark:bg-zinc-900 ${className}`}
    >
      <header className="flex items-center justify-between gap-2 border-zinc-200 border-b px-3 py-2 dark:border-zinc-800">
        <h2 className="flex items-center gap-1.5 font-semibold text-sm">
          <MessageSquare className="size-4" aria-hidden="true" />
          Chat
        </h2>
        <div className="flex items-center gap-3">
          {viewers !== null && (
            <span className="inline-flex items-center gap-1 text-xs text-zinc-500 dark:text-zinc-400" title="Viewers">
              <Users className="size-3.5" aria-hidden="true" />
              <span data-testid="chat-viewers">{formatCount(viewers)}</span>
              <span className="sr-only"> viewers</span>
            </span>
          )}
          <ConnectionIndicator />
        </div>
      </header>
      {loading ? (
        <div className="flex min-h-0 flex-1 flex-col justify-end gap-2 p-3" aria-hidden="true">
          {[60, 80, 45, 70].map((w) => (
            <div
              key={w}
              className="h-4 motion-safe:animate-pulse rounded bg-zinc-200 dark:bg-zinc-800"
              style={{ width: `${w}%` }}
            />
          ))}
        </div>
      ) : (
        <MessageList />
      )}
      {user ? (
        <Composer channel={channel} />
      ) : checked ? (
        <AuthPanel modes={guestsAllowed ? ["guest", "login", "register"] : ["login", "register"]} />
      ) : null}
    </section>
  );
}
