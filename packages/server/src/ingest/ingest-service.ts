/**
 * Ingest (docs/api.md "Ingest"): messages from another platform — posted by a producer with an
 * ingest key, or read by a built-in connector — go through the same write pipeline as native
 * ones, each with its result. The whole body is checked first: one malformed item is a 400
 * naming it and nothing of the request is stored. A repeated `externalId` (per channel and
 * platform) is a duplicate, also under concurrency and across nodes: it is the log's dedup
 * key, which the log checks atomically and the store keeps beyond the log's window.
 */
import {
  type IngestItem,
  type IngestPlatform,
  type IngestResult,
  type Message,
  normalizeMessageText,
} from "@chorus/protocol";
import type { ChannelService } from "../channels/channel-service.js";
import type { ChatService, Submitted } from "../chat/chat-service.js";
import type { Draft } from "../chat/draft.js";
import { invalid } from "../errors.js";
import type { ChannelLog } from "../ports/log.js";
import type { ExternalAuthors } from "./external-authors.js";

// Platforms allow line breaks and tabs in chat; ours does not: they become spaces.
const LINE_BREAKS = /[\r\n\t\u2028\u2029]+/g;

export function ingestDedupKey(channel: string, platform: IngestPlatform, externalId: string): string {
  return `${channel}:ext:${platform}:${externalId}`;
}

export class IngestService {
  constructor(
    private readonly chat: ChatService,
    private readonly channels: ChannelService,
    private readonly log: ChannelLog,
    private readonly authors: ExternalAuthors,
  ) {}

  async ingest(channelName: string, platform: IngestPlatform, items: readonly IngestItem[]): Promise<IngestResult[]> {
    const channel = await this.channels.state(channelName);
    const texts = items.map((item, i) => {
      const text = item.text.replace(LINE_BREAKS, " ");
      const normalized = normalizeMessageText(text);
      if (!normalized.ok) throw invalid(`items[${i}].text: ${normalized.reason}`);
      if (item.username.trim() === "") throw invalid(`items[${i}].username must not be blank`);
      return text;
    });
    // One after another, so that the log keeps the platform's order; the acks are awaited together.
    const pending: Array<Promise<IngestResult>> = [];
    for (const [i, item] of items.entries()) {
      const dedupKey = ingestDedupKey(channelName, platform, item.externalId);
      const draft: Draft = {
        channel,
        author: await this.authors.author(platform, item),
        rawText: texts[i],
        text: "",
        nonce: undefined,
        replyTo: item.replyTo === undefined ? undefined : await this.parent(channelName, platform, item.replyTo),
        dedupKey,
        receivedAt: Date.now(),
        origin: {
          externalId: item.externalId,
          emotes: new Map((item.emotes ?? []).map((e) => [e.name, safeImage(e.url)])),
          firstMessage: item.firstMessage === true,
        },
      };
      pending.push(this.result(item.externalId, await this.chat.submit(draft)));
    }
    return Promise.all(pending);
  }

  /** Our id of the message an ingested reply answers, if we have it; a reply to what we never saw is a plain message. */
  private async parent(channel: string, platform: IngestPlatform, externalId: string): Promise<string | undefined> {
    const event = await this.log.seen(channel, ingestDedupKey(channel, platform, externalId));
    return event?.type === "message" ? event.data.id : undefined;
  }

  private async result(externalId: string, submitted: Submitted): Promise<IngestResult> {
    switch (submitted.kind) {
      case "rejected":
        return { externalId, status: "rejected", code: submitted.error.code, message: submitted.error.message };
      case "duplicate":
        return published(externalId, submitted.message, "duplicate");
      case "held":
        return { externalId, status: "held", id: submitted.heldId };
      case "accepted": {
        const { message, duplicate } = await submitted.durable;
        return published(externalId, message, duplicate ? "duplicate" : "published");
      }
    }
  }
}

function published(externalId: string, message: Message, status: "published" | "duplicate"): IngestResult {
  return { externalId, status, id: message.id, seq: message.seq };
}

/** Only https images are passed on to clients. */
function safeImage(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.username === "" && parsed.password === "" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
