/**
 * Turns a draft that passed the pipeline into the message the log records: the author as
 * every viewer will see them (role, badges), mentions, the live broadcast. Enrichment steps
 * (emotes, sentiment) will join here.
 */

import { randomUUID } from "node:crypto";
import { extractMentions, type Message } from "@chorus/protocol";
import type { Draft } from "./draft.js";
import { badgesFor } from "./permissions.js";

export function toMessage(draft: Draft): Message {
  const { user, role, exempt } = draft.author;
  const message: Message = {
    id: randomUUID(),
    channel: draft.channel.record.name,
    seq: 0, // assigned by the log
    text: draft.text,
    createdAt: draft.receivedAt,
    author: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      color: user.color,
      role,
      badges: badgesFor(role, user, exempt && !user.isAdmin),
      platform: "chorus",
    },
  };
  if (draft.replyTo !== undefined) message.replyTo = draft.replyTo;
  const mentions = extractMentions(draft.text);
  if (mentions.length > 0) message.mentions = mentions;
  if (draft.channel.broadcast) message.broadcastId = draft.channel.broadcast.id;
  return message;
}
