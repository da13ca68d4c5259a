/**
 * Keeps the channel directory fresh while the landing page is open: viewer counts and live
 * states change, and there is no directory-wide event stream, so it polls (paused while the
 * tab is hidden).
 */
import { ChorusError } from "@chorus/client";
import { useDirectory } from "../store/directory";
import { listChannels } from "./channels";

const REFRESH_MS = 15_000;

export async function refreshDirectory(): Promise<void> {
  try {
    const channels = await listChannels();
    // docs/api.md lists live channels first; a stable sort keeps the server's order within each group.
    channels.sort((a, b) => Number(b.live) - Number(a.live));
    useDirectory.setState({ channels, error: null });
  } catch (error) {
    useDirectory.setState({
      error: error instanceof ChorusError ? error.message : "The channels could not be loaded.",
    });
  }
}

/** Starts polling; returns the function that stops it. */
export function watchDirectory(): () => void {
  void refreshDirectory();
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") void refreshDirectory();
  }, REFRESH_MS);
  const onVisible = (): void => {
    if (document.visibilityState === "visible") void refreshDirectory();
  };
  document.addEventListener("visibilitychange", onVisible);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisible);
  };
}
