/**
 * The review queue: messages moderation held back (a `hold` blocked term, AutoMod, a restricted
 * user), oldest first, each with why and Approve / Deny. It follows `message_held` and
 * `held_resolved` live (services/moderation.ts), so a message another moderator handled leaves
 * by itself; a name opens the user card.
 */
import type { HeldMessage } from "@chorus/protocol";
import { Check, Sparkles, X } from "lucide-react";
import { useState } from "react";
import { formatEndTime } from "../../lib/format";
import { describeHoldReason } from "../../lib/moderation";
import { approveHeld, denyHeld } from "../../services/moderation";
import { moderationActions, useModeration } from "../../store/moderation";
import { AuthorBadges } from "../AuthorBadges/AuthorBadges";

const BUTTON =
  "inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs font-medium disabled:opacity-50 pointer-coarse:py-2";

export function HeldQueue() {
  const held = useModeration((s) => s.held);
  const loaded = useModeration((s) => s.heldLoaded);
  return (
    <section aria-label="Held messages">
      <h3 className="mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400">
        Held for review{held.length > 0 ? ` · ${held.length}` : ""}
      </h3>
      {held.length === 0 && (
        <p className="text-sm text-zinc-500" data-testid="held-empty">
          {loaded ? "Nothing waits for review." : "Loading…"}
        </p>
      )}
      <ol className="flex flex-col gap-2" data-testid="held-list">
        {held.map((h) => (
          <HeldItem key={h.id} held={h} />
        ))}
      </ol>
    </section>
  );
}

function HeldItem({ held }: { held: HeldMessage }) {
  const [busy, setBusy] = useState(false);
  const { message } = held;
  const run = (action: (id: string) => Promise<boolean>): void => {
    setBusy(true);
    // On success the item leaves the list (and this component with it).
    void action(held.id).then((ok) => {
      if (!ok) setBusy(false);
    });
  };
  return (
    <li
      data-testid="held-item"
      data-id={held.id}
      data-author={message.author.username}
      className="rounded-md border border-amber-300/60 bg-amber-50 p-2 text-sm dark:border-amber-700/50 dark:bg-amber-950/30"
    >
      <div className="flex items-baseline gap-1">
        <AuthorBadges badges={message.author.badges} />
        <button
          type="button"
          onClick={() => moderationActions.openCard(message.author.username)}
          className="min-w-0 truncate font-semibold hover:underline"
        >
          <bdi>{message.author.displayName}</bdi>
        </button>
        {message.firstMessage && (
          <span title="First message in this channel" className="text-sky-600 dark:text-sky-400">
            <Sparkles className="inline size-3.5" aria-hidden="true" />
            <span className="sr-only">First message in this channel</span>
          </span>
        )}
        <time
          dateTime={new Date(held.at).toISOString()}
          className="ml-auto shrink-0 text-xs text-zinc-500 tabular-nums"
        >
          {formatEndTime(held.at, Date.now())}
        </time>
      </div>
      <p className="my-1 [overflow-wrap:anywhere]">
        <bdi data-part="held-text">{message.text}</bdi>
      </p>
      <div className="flex flex-wrap items-center gap-1">
        {held.reasons.map((r) => (
          <span
            key={r}
            data-reason={r}
            className="rounded bg-amber-200/70 px-1.5 py-0.5 text-[0.7rem] text-amber-950 dark:bg-amber-900/60 dark:text-amber-100"
          >
            {describeHoldReason(r)}
          </span>
        ))}
        <span className="ml-auto flex gap-1">
          <button
            type="button"
            disabled={busy}
            onClick={() => run(approveHeld)}
            aria-label={`Approve ${message.author.username}'s message`}
            className={`${BUTTON} bg-emerald-600 text-white hover:bg-emerald-500`}
          >
            <Check className="size-3.5" aria-hidden="true" />
            Approve
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => run(denyHeld)}
            aria-label={`Deny ${message.author.username}'s message`}
            className={`${BUTTON} border border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800`}
          >
            <X className="size-3.5" aria-hidden="true" />
            Deny
          </button>
        </span>
      </div>
    </li>
  );
}
