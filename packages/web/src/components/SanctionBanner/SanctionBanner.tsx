/**
 * Tells a banned or timed-out chatter so, above the send box: when it ends, and for a timeout
 * a countdown. It appears when a send is refused or when the log says so, and goes when the
 * ban is lifted or the timeout runs out (services/moderation.ts clears it).
 */
import { Ban, Clock } from "lucide-react";
import { useEffect, useState } from "react";
import { formatEndTime } from "../../lib/format";
import { formatCountdown } from "../../lib/moderation";
import { useModeration } from "../../store/moderation";

export function SanctionBanner() {
  const mine = useModeration((s) => s.mine);
  const until = mine?.kind === "timeout" ? mine.until : null;
  const now = useSecondClock(until);
  if (mine === null) return null;
  const timeout = mine.kind === "timeout";
  const Icon = timeout ? Clock : Ban;
  return (
    <div
      role="alert"
      data-testid="sanction-banner"
      data-kind={mine.kind}
      className="flex items-start gap-2 border-red-200 border-t bg-red-50 px-3 py-2 text-red-900 text-sm dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-100"
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <div className="min-w-0">
        <p className="font-medium">
          {timeout ? "You are timed out in this channel" : "You are banned from this channel"}
          {mine.reason ? (
            <>
              : <bdi>{mine.reason}</bdi>
            </>
          ) : (
            "."
          )}
        </p>
        {timeout && until !== null ? (
          <p className="text-xs">
            You can chat again at{" "}
            <time dateTime={new Date(until).toISOString()} data-testid="sanction-until" className="font-semibold">
              {formatEndTime(until, now)}
            </time>{" "}
            (
            <span data-testid="sanction-countdown" className="tabular-nums">
              {formatCountdown(until - now)}
            </span>{" "}
            left). Your message stays in the box.
          </p>
        ) : (
          <p className="text-xs">{timeout ? "It ends soon." : "Until a moderator lifts it."}</p>
        )}
      </div>
    </div>
  );
}

/** Date.now(), refreshed every second while `until` lies ahead. */
function useSecondClock(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= until) clearInterval(timer);
    }, 1_000);
    return () => clearInterval(timer);
  }, [until]);
  return now;
}
