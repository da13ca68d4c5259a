export function LiveBadge({ live, className = "" }: { live: boolean; className?: string }) {
  if (!live)
    return (
      <span
        className={`rounded bg-zinc-300 px-1.5 py-0.5 text-[0.65rem] font-bold uppercase tracking-wide text-zinc-700 dark:bg-zinc-700 dark:text-zinc-300 ${className}`}
      >
        Offline
      </span>
    );
  return (
    <span
      className={`rounded bg-red-600 px-1.5 py-0.5 text-[0.65rem] font-bold uppercase tracking-wide text-white ${className}`}
    >
      Live
    </span>
  );
}
