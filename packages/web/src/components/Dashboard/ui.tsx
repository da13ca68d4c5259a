/** Small shared pieces of the dashboard's panels: a titled section, button styles, an error line. */
import { ChorusError } from "@chorus/client";
import type { ReactNode } from "react";

export const BUTTON =
  "inline-flex items-center gap-1.5 rounded-md border border-zinc-300 px-2.5 py-1 font-medium text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";
export const PRIMARY =
  "inline-flex items-center gap-1.5 rounded-md bg-violet-600 px-3 py-1.5 font-medium text-sm text-white hover:bg-violet-500 disabled:opacity-60";
export const INPUT =
  "rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100";

export function Section({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <section
      aria-label={title}
      data-testid={testId}
      className="flex flex-col gap-3 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 className="font-semibold text-sm">{title}</h2>
      {children}
    </section>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p role="alert" className="text-red-700 text-xs dark:text-red-300">
      {error}
    </p>
  );
}

export function errorText(error: unknown): string {
  return error instanceof ChorusError ? error.message : "That did not work. Try again.";
}

export function formatWhen(ms: number | null): string {
  return ms === null ? "never" : new Date(ms).toLocaleString();
}
