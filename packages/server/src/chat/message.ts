/**
 * Turns a draft that passed the pipeline into the message the log records: the author as
 * every viewer will see them (role, badges), mentions, the live broadcast. Enrichment steps
 * (emotes, sentiment) will join here.
 */

import { randomUUID } from "node:crypto";
import { extractMentions, type Message } from "@chorus/protocol";
import type { Draft } from "./draft.js";
import { emotePositions } from "./emote-positions.js";
import { badgesFor } from "./permissions.js";

export function toMessage(draft: Draft): Message {
  const { author } = draft;
  const { user, role } = author;
  const message: Message = {
    id: randomUUID(),
    channel: draft.channel.record.name,
    seq: 0, // assigned by the log
    text: draft.text,
    createdAt: draft.receivedAt,
    author:
      author.kind === "local"
        ? {
            id: user.id,
            username: user.username,
            displayName: user.displayName,
            color: user.color,
            role,
            badges: badgesFor(role, user, author.exempt && !user.isAdmin),
            platform: "chorus",
          }
        : {
            id: user.id,
            username: user.username,
            displayName: author.displayName,
            color: author.color,
            role,
            badges: author.badges,
            platform: author.platform,
            externalId: author.externalId,
          },
  };
  if (draft.origin) {
    const emotes = emotePositions(draft.text, draft.origin.emotes);
    if (emotes.length > 0) message.emotes = emotes;
    if (draft.origin.firstMessage) message.firstMessage = true;
  }
  if (draft.replyTo !== undefined) message.replyTo = draft.replyTo;
  const mentions = extractMentions(draft.text);
  if (mentions.length > 0) message.mentions = mentions;
  if (draft.channel.broadcast) message.broadcastId = draft.channel.broadcast.id;
  return message;
}
