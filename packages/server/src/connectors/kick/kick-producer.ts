/**
 * Kick's webhooks as a producer: a verified `chat.message.sent` goes through the ingest path
 * of every channel whose Kick connector names the delivery's broadcaster, and that connector's
 * state becomes `connected` with the time of the message. Other event types are acknowledged
 * and ignored (Kick stops delivering to an endpoint that keeps failing).
 */

import type { KeyObject } from "node:crypto";
import type { IngestResult } from "@chorus/protocol";
import { AppError, invalid, unauthorized } from "../../errors.js";
import type { IngestService } from "../../ingest/ingest-service.js";
import type { Store } from "../../ports/store.js";
import { isKickChatMessage, type KickHeaders, kickToIngest, verifyKickDelivery } from "./kick-webhook.js";

export interface KickDeliveryResult {
  /** Per Chorus channel that took the message. */
  channels: Array<{ channel: string; result: IngestResult }>;
  ignored?: string;
}

export class KickProducer {
  constructor(
    private readonly store: Store,
    private readonly ingest: IngestService,
    private readonly key: KeyObject,
  ) {}

  async receive(headers: KickHeaders, rawBody: Buffer): Promise<KickDeliveryResult> {
    const verdict = verifyKickDelivery(this.key, headers, rawBody);
    if (!verdict.ok) throw unauthorized(`Kick webhook refused: ${verdict.reason}`);
    if (headers.type !== "chat.message.sent") return { channels: [], ignored: `event ${headers.type ?? "?"}` };
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      throw invalid("the body is not JSON");
    }
    if (!isKickChatMessage(body))
      throw invalid("not a chat.message.sent body (message_id, content, sender, broadcaster)");
    const slug = body.broadcaster.channel_slug.toLowerCase();
    const targets = (await this.store.connectors.all()).filter((c) => c.platform === "kick" && c.source === slug);
    const item = kickToIngest(body);
    const channels: KickDeliveryResult["channels"] = [];
    for (const target of targets) {
      let result: IngestResult;
      try {
        [result = { externalId: item.externalId, status: "rejected" }] = await this.ingest.ingest(
          target.channel,
          "kick",
          [item],
        );
      } catch (error) {
        // A message our rules cannot take (empty once normalised) is that message's problem only.
        if (!(error instanceof AppError && error.code === "invalid_request")) throw error;
        result = { externalId: item.externalId, status: "rejected", code: error.code, message: error.message };
      }
      channels.push({ channel: target.channel, result });
      await this.store.connectors.setStatus(
        target.channel,
        "kick",
        target.source,
        { state: "connected", error: null, lastMessageAt: Date.now() },
        Date.now(),
      );
    }
    return targets.length > 0 ? { channels } : { channels, ignored: `no channel is connected to Kick channel ${slug}` };
  }
}
