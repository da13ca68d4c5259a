/**
 * The open channel: its metadata and its chat rows. One channel is open at a time; the
 * transport (services/channel-feed.ts) writes here, components read with selectors.
 */
import type { Channel } from "@chorus/protocol";
import { create } from "zustand";
import { applyOps, EMPTY_FEED, type FeedOp, type FeedState, setPaused } from "../lib/feed";

export type FeedStatus = "loading" | "ready" | "not_found" | "error";

export interface FeedStore extends FeedState {
  name: string | null;
  channel: Channel | null;
  status: FeedStatus;
  error: string | null;
  /** Viewers and chatters from `viewer_count` events (fresher than `channel.viewers`). */
  viewers: number | null;
}

export const useFeed = create<FeedStore>(() => ({
  ...EMPTY_FEED,
  name: null,
  channel: null,
  status: "loading",
  error: null,
  viewers: null,
}));

export const feedActions = {
  open(name: string): void {
    useFeed.setState({ ...EMPTY_FEED, name, channel: null, status: "loading", error: null, viewers: null });
  },
  apply(ops: readonly FeedOp[]): void {
    useFeed.setState((s) => applyOps(s, ops));
  },
  setPaused(paused: boolean): void {
    useFeed.setState((s) => setPaused(s, paused));
  },
  setChannel(channel: Channel): void {
    useFeed.setState({ channel, status: "ready", error: null });
  },
  patchChannel(patch: Partial<Channel>): void {
    useFeed.setState((s) => (s.channel ? { channel: { ...s.channel, ...patch } } : {}));
  },
  fail(status: "not_found" | "error", error: string): void {
    useFeed.setState({ status, error });
  },
  setViewers(viewers: number): void {
    useFeed.setState({ viewers });
  },
};
