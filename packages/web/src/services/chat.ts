/**
 * Sending. Messages go over REST (`POST /messages`), whose answers docs/api.md spells out fully:
 * 201 with the stored message, 202 `{held:true}` when moderation holds it, and the stable
 * error codes with `retryAfterMs`. The message itself appears in the feed through the
 * subscription, like everyone else's.
 */
import type { PostMessageResult } from "@chorus/client";
import { client } from "./client";

export function sendMessage(channel: string, text: string, nonce: string): Promise<PostMessageResult> {
  return client.postMessage(channel, text, { nonce });
}

/** A random idempotency key; `getRandomValues` exists even on plain-http pages. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
