/** The outcome of the last moderation action, briefly, above the send box. */
import { useEffect, useState } from "react";
import { useModeration } from "../../store/moderation";

const SHOW_MS = 5_000;

export function ModStatus() {
  const notice = useModeration((s) => s.notice);
  const [shown, setShown] = useState<number | null>(null);
  useEffect(() => {
    if (notice === null) return;
    setShown(notice.serial);
    const timer = setTimeout(() => setShown(null), SHOW_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  if (notice === null || shown !== notice.serial) return null;
  return (
    <p
      role={notice.ok ? "status" : "alert"}
      data-testid="mod-status"
      className={`border-zinc-200 border-t px-3 py-1.5 text-xs dark:border-zinc-800 ${
        notice.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"
      }`}
    >
      {notice.text}
    </p>
  );
}
