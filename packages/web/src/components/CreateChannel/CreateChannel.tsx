/** Creating a channel (registered users; guests are told to register). */
import { ChorusError } from "@chorus/client";
import { Plus } from "lucide-react";
import { type FormEvent, useState } from "react";
import { createChannel } from "../../services/channels";
import { refreshDirectory } from "../../services/directory";
import { channelPath, navigate } from "../../services/router";
import { useSession } from "../../store/session";
import { AuthPanel } from "../AuthPanel/AuthPanel";

const NAME = /^[A-Za-z0-9_]{3,25}$/;

export function CreateChannel() {
  const user = useSession((s) => s.user);
  const checked = useSession((s) => s.checked);
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!NAME.test(name.trim())) {
      setError("Channel names are 3–25 letters, digits or underscores.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const channel = await createChannel(name.trim().toLowerCase(), title);
      void refreshDirectory();
      navigate(channelPath(channel.name));
    } catch (failure) {
      setError(
        failure instanceof ChorusError && failure.code === "conflict"
          ? "That channel name is taken."
          : failure instanceof Error
            ? failure.message
            : "The channel could not be created.",
      );
      setBusy(false);
    }
  }

  return (
    <section
      aria-labelledby="create-channel"
      className="rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id="create-channel" className="flex items-center gap-2 px-4 pt-4 font-semibold">
        <Plus className="size-4" aria-hidden="true" />
        Start a channel
      </h2>
      {!checked ? null : !user || user.isGuest ? (
        <>
          <p className="px-4 pt-1 text-sm text-zinc-600 dark:text-zinc-400">
            {user ? "Guests can chat but not own channels. " : ""}Log in or register to create your own channel.
          </p>
          <AuthPanel modes={["login", "register"]} />
        </>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-2 p-4" aria-label="Create a channel">
          <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Channel name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={25}
              autoCapitalize="none"
              spellCheck={false}
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
            />
          </label>
          <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Title <span className="font-normal">(optional)</span>
            <input
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              maxLength={140}
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
            />
          </label>
          {error && (
            <p role="alert" className="text-xs text-red-700 dark:text-red-300">
              {error}
            </p>
          )}
          <button
            type="submit"
            disabled={busy}
            className="mt-1 rounded-md bg-violet-600 px-3 py-2 font-medium text-sm text-white hover:bg-violet-500 disabled:opacity-60"
          >
            Create channel
          </button>
        </form>
      )}
    </section>
  );
}
