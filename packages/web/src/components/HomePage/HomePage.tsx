/** Landing: the channels, live ones first, and a way to start one. */
import { useEffect } from "react";
import { watchDirectory } from "../../services/directory";
import { useDirectory } from "../../store/directory";
import { ChannelCard } from "../ChannelCard/ChannelCard";
import { CreateChannel } from "../CreateChannel/CreateChannel";

export function HomePage() {
  useEffect(() => {
    document.title = "Chorus · live chat";
    return watchDirectory();
  }, []);
  const channels = useDirectory((s) => s.channels);
  const error = useDirectory((s) => s.error);
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto grid max-w-6xl gap-6 p-4 lg:grid-cols-[1fr_20rem] lg:p-6">
        <section aria-labelledby="channels-heading" className="min-w-0">
          <h1 id="channels-heading" className="mb-4 font-bold text-2xl">
            Channels
          </h1>
          {error && (
            <p role="alert" className="mb-4 text-sm text-red-700 dark:text-red-300">
              {error}
            </p>
          )}
          {channels === null ? (
            <p className="text-sm text-zinc-500">Loading channels…</p>
          ) : channels.length === 0 ? (
            <p className="text-sm text-zinc-500">No channels yet. Start the first one.</p>
          ) : (
            <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="channel-list">
              {channels.map((c) => (
                <ChannelCard key={c.name} channel={c} />
              ))}
            </ul>
          )}
        </section>
        <aside className="min-w-0">
          <CreateChannel />
        </aside>
      </div>
    </div>
  );
}
