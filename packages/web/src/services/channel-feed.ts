/**
 * The transport of one open channel: loads the channel and its latest messages, subscribes
 * from the last seq of that page (so the log replays whatever came in between: no gap, no
 * duplicate), and turns SDK updates into feed operations applied at most once per frame.
 *
 * After a reconnect the SDK replays what was missed and then emits `resumed`; the `resumed`
 * operation goes through the same queue, behind the replayed messages, and becomes the
 * divider above them. When the server cannot replay (`reset`), the feed is replaced by the
 * latest page under a divider that says messages may be missing: never a silent gap.
 */
import { ChorusError, type SubscriptionUpdate } from "@chorus/client";
import type { ChannelEvent, Message } from "@chorus/protocol";
import type { FeedOp } from "../lib/feed";
import { feedActions, useFeed } from "../store/feed";
import { useSession } from "../store/session";
import { noteEmotes, onStats, onSummary, resetAnalysis } from "./analysis";
import { announceMessage, resetAnnouncements } from "./announcer";
import { Batcher } from "./batcher";
import { getChannel } from "./channels";
import { client } from "./client";
import { loadModeratorViews, noteOwnMessage, onModerationEvent, onModeratorEvent } from "./moderation";

/** Messages loaded when a channel opens. */
const INITIAL_PAGE = 100;

/** Opens `name` in the feed store; returns the function that closes it. */
export function openChannel(name: string): () => void {
  const channel = name.toLowerCase();
  feedActions.open(channel);
  resetAnalysis(channel);
  resetAnnouncements();
  const batcher = new Batcher<FeedOp>((ops) => feedActions.apply(ops));
  let closed = false;
  let unsubscribe: (() => void) | undefined;

  const offResumed = client.on("resumed", ({ channels }) => {
    for (const c of channels) {
      if (c.channel === channel && c.recovered) batcher.push({ op: "resumed", fromSeq: c.fromSeq, toSeq: c.toSeq });
    }
  });

  const onEvent = (event: ChannelEvent): void => {
    switch (event.type) {
      case "message":
        batcher.push({ op: "message", message: event.data, live: true });
        // A chat-delay placeholder only moves the seq on: nothing to announce or learn from.
        if (event.data.deleted) return;
        noteEmotes(event.data);
        if (event.data.author.id !== useSession.getState().user?.id) announceMessage(event.data);
        else noteOwnMessage(event.data);
        return;
      case "message_deleted":
        batcher.push({ op: "delete", id: event.data.id, by: event.data.by });
        onModerationEvent(event);
        return;
      case "chat_cleared":
        batcher.push({ op: "clear", by: event.data.by, at: event.at });
        onModerationEvent(event);
        return;
      case "user_timed_out":
        batcher.push({
          op: "remove_user",
          username: event.data.username,
          cause: "timeout",
          text: `${event.data.username} was timed out`,
          at: event.at,
        });
        onModerationEvent(event);
        return;
      case "user_banned":
        batcher.push({
          op: "remove_user",
          username: event.data.username,
          cause: "ban",
          text: `${event.data.username} was banned`,
          at: event.at,
        });
        onModerationEvent(event);
        return;
      case "user_unbanned":
        onModerationEvent(event);
        return;
      case "channel_updated":
        feedActions.setChannel(event.data.channel);
        return;
      case "stream_started": {
        const { broadcast } = event.data;
        const videoUrl = broadcast.videoUrl ?? useFeed.getState().channel?.videoUrl ?? null;
        feedActions.patchChannel({ live: true, broadcast, title: broadcast.title, videoUrl });
        batcher.push({ op: "notice", text: "The stream started", at: event.at });
        return;
      }
      case "stream_ended":
        feedActions.patchChannel({ live: false, broadcast: undefined });
        batcher.push({ op: "notice", text: "The stream ended", at: event.at });
        return;
      case "summary":
        // Not a chat row: at a fast chat's pace summaries would crowd it. The dashboard's feed
        // and the viewer's "catch me up" card show them.
        onSummary(event.seq, event.at, event.data);
        return;
      case "stats":
        onStats(event.data);
        return;
      case "viewer_count":
        feedActions.setViewers(event.data.viewers);
        return;
      case "message_held":
      case "held_resolved":
      case "user_status_changed":
        onModeratorEvent(event);
        return;
      default:
        return; // user_joined / user_left: nothing to show in the feed
    }
  };

  const onUpdate = (update: SubscriptionUpdate): void => {
    if (closed) return;
    switch (update.kind) {
      case "event":
        onEvent(update.event);
        return;
      case "reset":
        for (const m of update.messages) noteEmotes(m);
        batcher.push({ op: "replace", messages: update.messages, lossBefore: true, at: Date.now() });
        return;
      case "error":
        if (update.fatal)
          feedActions.fail(update.error.code === "not_found" ? "not_found" : "error", update.error.message);
        return;
      case "subscribed":
        // Moderator-only events are not replayed: once they flow (again, after a reconnect),
        // reload what they keep live, so that nothing held meanwhile is missing (moderators only).
        loadModeratorViews();
        return;
    }
  };

  void (async () => {
    let info: Awaited<ReturnType<typeof getChannel>>;
    let history: Message[];
    try {
      [info, history] = await Promise.all([getChannel(channel), client.history({ channel, limit: INITIAL_PAGE })]);
    } catch (error) {
      if (closed) return;
      const notFound = error instanceof ChorusError && error.code === "not_found";
      feedActions.fail(notFound ? "not_found" : "error", error instanceof Error ? error.message : String(error));
      return;
    }
    if (closed) return;
    feedActions.setChannel(info);
    for (const m of history) noteEmotes(m);
    batcher.push({ op: "replace", messages: history, lossBefore: false, at: Date.now() });
    batcher.flushNow();
    unsubscribe = client.subscribe(channel, onUpdate, { since: history.at(-1)?.seq ?? 0 });
  })();

  return () => {
    closed = true;
    unsubscribe?.();
    offResumed();
    batcher.dispose();
    resetAnnouncements();
  };
}
