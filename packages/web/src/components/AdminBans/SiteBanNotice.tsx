/**
 * Says so when the server refuses this browser site-wide (its account or its address is
 * banned), instead of leaving every request to fail with a generic error. services/client.ts
 * sets it from the server's answers and clears it once `GET /api/me` is answered again.
 */
import { Ban } from "lucide-react";
import { useSiteBanNotice } from "../../store/site-bans";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function SiteBanNotice() {
  const notice = useSiteBanNotice((s) => s.notice);
  if (notice === null) return null;
  return (
    <div
      role="alert"
      data-testid="site-ban-notice"
      className="flex shrink-0 items-start gap-2 border-red-200 border-b bg-red-50 px-3 py-2 text-red-900 text-sm dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-100"
    >
      <Ban className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <p>
        <span className="font-medium">You are banned from this site</span>{" "}
        {notice.until === null ? (
          "until an administrator lifts the ban."
        ) : (
          <>
            until{" "}
            <time dateTime={new Date(notice.until).toISOString()} className="font-medium">
              {when.format(notice.until)}
            </time>
            .
          </>
        )}
      </p>
    </div>
  );
}
