/**
 * Broadcasts: going live and ending (each an event in the channel log), and the archive of
 * past broadcasts with their transcripts.
 */
import { randomUUID } from "node:crypto";
import { type Broadcast, CHANNEL_NAME_RE, LIMITS, type Message } from "@chorus/protocol";
import type { AuthContext } from "../auth/auth-service.js";
import { hasRole } from "../chat/permissions.js";
import { conflict, forbidden, invalid, notFound } from "../errors.js";
import type { ChannelLog } from "../ports/log.js";
import type { Presence } from "../ports/presence.js";
import type { BroadcastRecord, Store } from "../ports/store.js";
import type { ChannelCache } from "./channel-cache.js";
import { checkVideoUrl, cleanTitle } from "./fields.js";
import { toBroadcast, toPublicChannel } from "./public-view.js";

/** Messages read per store query while exporting. */
const EXPORT_PAGE = 1_000;

export class BroadcastService {
  constructor(
    private readonly store: Store,
    private readonly log: ChannelLog,
    private readonly cache: ChannelCache,
    private readonly presence: Presence,
  ) {}

  async goLive(
    ctx: AuthContext,
    name: string,
    input: { title?: string | undefined; videoUrl?: string | null | undefined },
  ): Promise<{ broadcast: Broadcast; started: boolean }> {
    const state = await this.cache.state(name);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the owner can go live");
    const title = input.title === undefined ? undefined : cleanTitle(input.title);
    if (input.title !== undefined && title === undefined)
      throw invalid(`title must be 1–${LIMITS.titleMaxChars} characters`);
    const videoUrl = input.videoUrl === undefined ? undefined : checkVideoUrl(input.videoUrl);
    if (state.broadcast) {
      // Already live: update the running broadcast ("start or update its broadcast").
      await this.store.broadcasts.update(state.broadcast.id, { title, videoUrl });
      await this.store.channels.update(name, { title, videoUrl });
      const updated = await this.cache.refresh(name);
      if (!updated?.broadcast) throw conflict("the broadcast ended meanwhile");
      await this.log.append(name, {
        type: "channel_updated",
        at: Date.now(),
        data: { channel: await toPublicChannel(updated, this.presence) },
      });
      return { broadcast: toBroadcast(updated.broadcast), started: false };
    }
    const broadcast: BroadcastRecord = {
      id: randomUUID(),
      channel: name,
      title: title ?? state.record.title,
      videoUrl: videoUrl === undefined ? state.record.videoUrl : videoUrl,
      startedAt: Date.now(),
      endedAt: null,
      messageCount: 0,
    };
    await this.store.broadcasts.create(broadcast);
    await this.store.channels.update(name, {
      liveBroadcastId: broadcast.id,
      title: broadcast.title,
      videoUrl: broadcast.videoUrl ?? null,
    });
    await this.cache.refresh(name);
    const event = toBroadcast(broadcast);
    await this.log.append(name, { type: "stream_started", at: broadcast.startedAt, data: { broadcast: event } });
    this.cache.changed(name);
    return { broadcast: event, started: true };
  }

  async endLive(ctx: AuthContext, name: string): Promise<Broadcast> {
    const state = await this.cache.state(name);
    if (!hasRole(state, ctx.user, "owner")) throw forbidden("only the owner can end the stream");
    if (!state.broadcast) throw conflict("the channel is not live");
    const endedAt = Date.now();
    // Make every message of the broadcast durable before it is archived and counted.
    await this.log.drain(name);
    await this.store.broadcasts.update(state.broadcast.id, { endedAt });
    await this.store.channels.update(name, { liveBroadcastId: null });
    const ended = await this.store.broadcasts.byId(state.broadcast.id);
    await this.cache.refresh(name);
    if (!ended) throw notFound("broadcast");
    const broadcast = toBroadcast(ended);
    await this.log.append(name, { type: "stream_ended", at: endedAt, data: { broadcast } });
    // Retention "end_of_broadcast": the archive keeps the broadcast, not what was said.
    if (state.record.settings.retention === "end_of_broadcast") {
      await this.store.events.purgeMessages(name, { broadcastId: ended.id });
    }
    this.cache.changed(name);
    return broadcast;
  }

  async list(name: string): Promise<Broadcast[]> {
    await this.cache.state(name);
    return (await this.store.broadcasts.list(name, 100)).map(toBroadcast);
  }

  async get(name: string, id: string): Promise<Broadcast> {
    if (!CHANNEL_NAME_RE.test(name)) throw notFound("broadcast");
    const found = await this.store.broadcasts.byId(id);
    if (!found || found.channel !== name) throw notFound("broadcast");
    return toBroadcast(found);
  }

  async transcript(
    channelName: string,
    broadcastId: string,
    query: { before?: number; after?: number; limit?: number; deleted?: boolean },
  ): Promise<Message[]> {
    await this.get(channelName, broadcastId);
    const limit = Math.min(query.limit ?? LIMITS.historyDefault, LIMITS.historyMax);
    return this.store.events.messages({
      channel: channelName,
      broadcastId,
      before: query.before,
      after: query.after,
      limit,
      includeDeleted: query.deleted === true,
    });
  }

  /**
   * Every message of a broadcast in log order (deleted ones as placeholders), a page at a time:
   * an export of 100,000 messages holds one page in memory, never the whole transcript.
   */
  async *pages(channelName: string, broadcastId: string, pageSize = EXPORT_PAGE): AsyncGenerator<Message[]> {
    let after = 0;
    for (;;) {
      const page = await this.store.events.messages({
        channel: channelName,
        broadcastId,
        after,
        limit: pageSize,
        includeDeleted: true,
      });
      if (page.length > 0) yield page;
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      after = last.seq;
    }
  }
}
