/**
 * Kick publishes chat to apps only as webhooks (`chat.message.sent`), so Kick is a producer,
 * not a connector we run: the streamer points their Kick app's webhook URL at
 * `POST /api/webhooks/kick`, and names their Kick channel with `PUT /connectors/kick`.
 *
 * A delivery is trusted only when Kick's signature checks out: RSA-SHA256 (PKCS#1 v1.5) over
 * `<Kick-Event-Message-Id>.<Kick-Event-Message-Timestamp>.<raw body>`, with Kick's public key
 * (docs.kick.com, "Webhook security"). Every app receives deliveries signed with the same
 * key, so a valid signature only proves Kick sent it to *someone*: a delivery older than five
 * minutes is refused (replays), and a message goes only to channels whose configured Kick
 * channel is the delivery's broadcaster.
 */
import { createPublicKey, createVerify, type KeyObject } from "node:crypto";
import type { IngestItem } from "@chorus/protocol";

/** Kick's published webhook key (https://api.kick.com/public/v1/public-key); `KICK_PUBLIC_KEY` replaces it. */
export const KICK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq/+l1WnlRrGSolDMA+A8
6rAhMbQGmQ2SapVcGM3zq8ANXjnhDWocMqfWcTd95btDydITa10kDvHzw9WQOqp2
MZI7ZyrfzJuz5nhTPCiJwTwnEtWft7nV14BYRDHvlfqPUaZ+1KR4OCaO/wWIk/rQ
L/TjY0M70gse8rlBkbo2a8rKhu69RQTRsoaf4DVhDPEeSeI5jVrRDGAMGL3cGuyY
6CLKGdjVEM78g3JfYOvDU/RvfqD7L89TZ3iN94jrmWdGz34JNlEI5hqK8dd7C5EF
BEbZ5jgB8s8ReQV8H+MkuffjdAj3ajDDX3DOJMIut1lBrUVD1AaSrGCKHooWoL2e
twIDAQAB
-----END PUBLIC KEY-----`;

/** How far a delivery's timestamp may be from now. */
export const KICK_TOLERANCE_MS = 5 * 60_000;

export interface KickHeaders {
  messageId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  type: string | undefined;
}

export type KickVerdict = { ok: true } | { ok: false; reason: string };

export function kickKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

export function verifyKickDelivery(key: KeyObject, h: KickHeaders, rawBody: Buffer, now = Date.now()): KickVerdict {
  if (!h.messageId || !h.timestamp || !h.signature) return { ok: false, reason: "missing Kick-Event-* headers" };
  const at = Date.parse(h.timestamp);
  if (!Number.isFinite(at)) return { ok: false, reason: "Kick-Event-Message-Timestamp is not a date" };
  if (Math.abs(now - at) > KICK_TOLERANCE_MS)
    return { ok: false, reason: "the delivery is too old (or from the future)" };
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${h.messageId}.${h.timestamp}.`);
  verifier.update(rawBody);
  let valid = false;
  try {
    valid = verifier.verify(key, Buffer.from(h.signature, "base64"));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: "the signature does not match" };
}

/** The parts of a `chat.message.sent` body (version 1) Chorus reads; anything else is ignored. */
export interface KickChatMessage {
  message_id: string;
  broadcaster: { channel_slug: string; username?: string };
  sender: {
    username: string;
    channel_slug?: string;
    is_verified?: boolean;
    identity?: { username_color?: string; badges?: Array<{ type: string; text?: string; count?: number }> };
  };
  content: string;
  replies_to?: { message_id?: string } | null;
  created_at?: string;
}

/** `[emote:ID:NAME]` in Kick's content. */
const EMOTE_TAG = /\[emote:(\d{1,20}):([^\]\s]{1,100})\]/g;

export function isKickChatMessage(body: unknown): body is KickChatMessage {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  const sender = b["sender"] as Record<string, unknown> | undefined;
  const broadcaster = b["broadcaster"] as Record<string, unknown> | undefined;
  return (
    typeof b["message_id"] === "string" &&
    typeof b["content"] === "string" &&
    typeof sender?.["username"] === "string" &&
    typeof broadcaster?.["channel_slug"] === "string"
  );
}

/** A Kick chat message as an ingest item: emote tags become their names, with Kick's images. */
export function kickToIngest(m: KickChatMessage): IngestItem {
  const emotes: NonNullable<IngestItem["emotes"]> = [];
  const text = m.content.replace(EMOTE_TAG, (_tag, id: string, name: string) => {
    if (!emotes.some((e) => e.name === name)) {
      emotes.push({ name, start: 0, end: 0, url: `https://files.kick.com/emotes/${id}/fullsize` });
    }
    return name;
  });
  const badges = (m.sender.identity?.badges ?? []).map((b) =>
    b.type === "subscriber" && typeof b.count === "number" && b.count > 0 ? `subscriber/${b.count}` : b.type,
  );
  if (m.sender.is_verified) badges.push("verified");
  const item: IngestItem = {
    externalId: m.message_id.slice(0, 128),
    username: (m.sender.channel_slug ?? m.sender.username).slice(0, 64),
    displayName: m.sender.username.slice(0, 64),
    text: text.slice(0, 2000),
    badges: badges.slice(0, 20).map((b) => b.slice(0, 64)),
  };
  const color = m.sender.identity?.username_color;
  if (color) item.color = color.slice(0, 32);
  if (emotes.length > 0) item.emotes = emotes.slice(0, 200);
  if (m.replies_to?.message_id) item.replyTo = m.replies_to.message_id.slice(0, 128);
  const sentAt = m.created_at ? Date.parse(m.created_at) : Number.NaN;
  if (Number.isFinite(sentAt)) item.sentAt = sentAt;
  return item;
}
