/** Live / reconnecting / offline, from the SDK's connection state. */
import { useSession } from "../../store/session";

const LOOK = {
  live: { label: "Live", dot: "bg-emerald-500", text: "text-emerald-700 dark:text-emerald-400" },
  connecting: {
    label: "Connecting…",
    dot: "bg-amber-400 motion-safe:animate-pulse",
    text: "text-amber-700 dark:text-amber-300",
  },
  reconnecting: {
    label: "Reconnecting…",
    dot: "bg-amber-400 motion-safe:animate-pulse",
    text: "text-amber-700 dark:text-amber-300",
  },
  offline: { label: "Offline", dot: "bg-zinc-400", text: "text-zinc-600 dark:text-zinc-400" },
} as const;

export function ConnectionIndicator() {
  const connection = useSession((s) => s.connection);
  const online = useSession((s) => s.online);
  const state =
    connection === "open"
      ? "live"
      : connection === "closed"
        ? "offline"
        : connection === "connecting"
          ? "connecting"
          : "reconnecting";
  const look = LOOK[state];
  return (
    <span
      role="status"
      data-testid="connection"
      data-state={state}
      className={`inline-flex items-center gap-1.5 text-xs font-medium ${look.text}`}
      title={online ? undefined : "Your device is offline"}
    >
      <span aria-hidden="true" className={`size-2 rounded-full ${look.dot}`} />
      {look.label}
      {!online && state !== "live" && <span className="sr-only"> (your device is offline)</span>}
    </span>
  );
}
