/** Building logged events from drafts: the one place a seq is written into an event. */
import type { EventDraft, LoggedEvent } from "@chorus/protocol";

/** The envelope for `draft` at `seq`; a message also carries its seq inside `data` (docs/api.md `message.seq`). */
export function stampSeq(channel: string, seq: number, draft: EventDraft): LoggedEvent {
  if (draft.type === "message") {
    return { op: "event", channel, seq, type: "message", at: draft.at, data: { ...draft.data, seq } };
  }
  return { op: "event", channel, seq, type: draft.type, at: draft.at, data: draft.data } as LoggedEvent;
}
