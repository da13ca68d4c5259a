import { followLink } from "../../services/router";

export function NotFound({ what = "This page does not exist." }: { what?: string }) {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center gap-3 p-10 text-center">
      <h1 className="font-semibold text-xl">Not found</h1>
      <p className="text-zinc-600 dark:text-zinc-400">
        <bdi>{what}</bdi>
      </p>
      <a href="/" onClick={followLink} className="text-violet-700 underline dark:text-violet-300">
        See all channels
      </a>
    </div>
  );
}
