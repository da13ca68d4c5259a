/**
 * Where a connector's reading goes: messages into the ingest path (normalised and moderated
 * like any ingested message, deduplicated by their platform id, so a reconnect that reads a
 * message twice publishes it once), and the origin's moderation onto the mirrored copies —
 * a deletion as `message_deleted`, a ban or timeout as `user_banned` / `user_timed_out` for
 * the `login@platform` identity (clients remove that user's messages), a cleared chat as
 * `chat_cleared`. These mirror what happened elsewhere: they are attributed to the platform
 * (`by: "twitch"`) and impose no sanction in Chorus.
 */
import type { IngestItem, IngestPlatform } from "@chorus/protocol";
import { AppError } from "../errors.js";
import { type IngestService, ingestDedupKey } from "../ingest/ingest-service.js";
import type { ChannelLog } from "../ports/log.js";
import type { Store } from "../ports/store.js";
import type { ConnectorSink } from "./connector.js";

export class IngestSink implements ConnectorSink {
  constructor(
    private readonly channel: string,
    private readonly platform: IngestPlatform,
    private readonly ingest: IngestService,
    private readonly log: ChannelLog,
    private readonly store: Store,
  ) {}

  async messages(items: IngestItem[]): Promise<void> {
    try {
      await this.ingest.ingest(this.channel, this.platform, items);
    } catch (error) {
      // One item the ingest path refuses (empty after normalisation…) must not cost the others.
      if (!(error instanceof AppError && error.code === "invalid_request") || items.length === 1) throw error;
      for (const item of items) {
        await this.ingest.ingest(this.channel, this.platform, [item]).catch((e: unknown) => {
          if (!(e instanceof AppError && e.code === "invalid_request")) throw e;
        });
      }
    }
  }

  async deleted(externalId: string): Promise<void> {
    const event = await this.log.seen(this.channel, ingestDedupKey(this.channel, this.platform, externalId));
    if (event?.type !== "message") return; // never mirrored (or refused here): nothing to remove
    const ref = await this.store.events.messageRef(this.channel, event.data.id);
    if (ref?.deleted) return;
    await this.log.append(this.channel, {
      type: "message_deleted",
      at: Date.now(),
      data: { id: event.data.id, by: this.platform },
    });
  }

  async cleared(target: { login: string; durationSec?: number } | null): Promise<void> {
    const at = Date.now();
    if (target === null) {
      await this.log.append(this.channel, { type: "chat_cleared", at, data: { by: this.platform } });
      return;
    }
    const username = `${target.login.toLowerCase()}@${this.platform}`;
    await this.log.append(
      this.channel,
      target.durationSec === undefined
        ? { type: "user_banned", at, data: { username, reason: `banned on ${this.platform}` } }
        : {
            type: "user_timed_out",
            at,
            data: { username, until: at + target.durationSec * 1000, reason: `timed out on ${this.platform}` },
          },
    );
  }
}
