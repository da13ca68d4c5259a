/** The chat column: connection state, the list, and the send box (or the way in). */
import { MessageSquare, Shield, Sparkles, Users } from "lucide-react";
import { formatCount } from "../../lib/format";
import { useFeed } from "../../store/feed";
import { moderationActions, useModeration } from "../../store/moderation";
import { useSession } from "../../store/session";
import { AuthPanel } from "../AuthPanel/AuthPanel";
import { Composer } from "../Composer/Composer";
import { ConnectionIndicator } from "../ConnectionIndicator/ConnectionIndicator";
import { MessageList } from "../MessageList/MessageList";
import { ModPanel } from "../ModPanel/ModPanel";
import { ModStatus } from "../ModStatus/ModStatus";
import { SanctionBanner } from "../SanctionBanner/SanctionBanner";
import { UserCard } from "../UserCard/UserCard";

export function ChatPanel({ channel, className = "" }: { channel: string; className?: string }) {
  const user = useSession((s) => s.user);
  const checked = useSession((s) => s.checked);
  const viewers = useFeed((s) => s.viewers ?? s.channel?.viewers ?? null);
  const guestsAllowed = useFeed((s) => s.channel?.settings.guestsAllowed ?? true);
  const loading = useFeed((s) => s.status === "loading");
  const isModerator = useModeration((s) => s.moderator !== null);
  const panelOpen = useModeration((s) => s.panelOpen);
  const held = useModeration((s) => s.held.length);
  const firstTimeOnly = useModeration((s) => s.firstTimeOnly);
  return (
    <section
      aria-label="Chat"
      data-testid="chat-panel"
      className={`relative flex min-h-0 flex-col bg-white dark:bg-zinc-900 ${className}`}
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
          {isModerator && (
            <button
              type="button"
              aria-pressed={firstTimeOnly}
              data-testid="first-time-filter"
              title="Show only first-time chatters"
              onClick={() => moderationActions.setFirstTimeOnly(!firstTimeOnly)}
              className="inline-flex items-center rounded-md p-1 text-sky-600 hover:bg-zinc-100 aria-pressed:bg-sky-500/20 dark:text-sky-400 dark:hover:bg-zinc-800"
            >
              <Sparkles className="size-3.5" aria-hidden="true" />
              <span className="sr-only">First-time chatters only</span>
            </button>
          )}
          {isModerator && (
            <button
              type="button"
              aria-pressed={panelOpen}
              data-testid="mod-panel-toggle"
              onClick={() => moderationActions.setPanel(!panelOpen)}
              className="inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium text-emerald-700 hover:bg-zinc-100 aria-pressed:bg-emerald-500/15 dark:text-emerald-400 dark:hover:bg-zinc-800"
            >
              <Shield className="size-3.5" aria-hidden="true" />
              Moderation
              {held > 0 && (
                <span
                  data-testid="held-count"
                  className="rounded-full bg-amber-500 px-1.5 text-[0.65rem] text-black tabular-nums"
                >
                  {held}
                  <span className="sr-only"> {held === 1 ? "message waits" : "messages wait"} for review</span>
                </span>
              )}
            </button>
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
        <div className="relative flex min-h-0 flex-1 flex-col">
          {isModerator && firstTimeOnly && (
            <p
              role="status"
              className="flex items-center gap-2 border-sky-500/30 border-b bg-sky-500/10 px-3 py-1 text-xs text-sky-800 dark:text-sky-200"
            >
              <Sparkles className="size-3.5" aria-hidden="true" />
              <span className="flex-1">Showing first-time chatters only</span>
              <button
                type="button"
                onClick={() => moderationActions.setFirstTimeOnly(false)}
                className="font-medium underline"
              >
                Show all
              </button>
            </p>
          )}
          <MessageList />
          {isModerator && panelOpen && <ModPanel />}
        </div>
      )}
      <ModStatus />
      {user && <SanctionBanner />}
      {user ? (
        <Composer channel={channel} />
      ) : checked ? (
        <AuthPanel modes={guestsAllowed ? ["guest", "login", "register"] : ["login", "register"]} />
      ) : null}
      <UserCard />
    </section>
  );
}
