/**
 * One row of the chat list: a message, a divider (reconnect) or a notice. Names and texts sit
 * in <bdi> so that right-to-left text cannot reorder what is around it. The timestamp shows
 * on hover (and to screen readers, always). A name opens the user card; moderators get the
 * row's actions and see removed messages marked with who removed them (viewers never get
 * removed rows: MessageList leaves them out), first-time chatters' messages marked, and an eye
 * (a lock) on the messages of monitored (restricted) users. With the reader's sentiment colours on,
 * a positive or negative message gets a tinted left edge and a marker that says which in text.
 */
import { CloudOff, History, Info } from "lucide-react";
import { type CSSProperties, memo } from "react";
import { readableNameColors } from "../../lib/color";
import type { FeedRow, Removal } from "../../lib/feed";
import { formatClock } from "../../lib/format";
import { allowedActions, type Moderator } from "../../lib/moderation";
import { mentions } from "../../lib/text";
import { useAnalysis } from "../../store/analysis";
import { moderationActions } from "../../store/moderation";
import { AuthorBadges } from "../AuthorBadges/AuthorBadges";
import { SpriteIcon } from "../IconSprite/IconSprite";
import { MessageText } from "../MessageText/MessageText";
import { ModActions } from "../ModActions/ModActions";
import { PlatformIcon } from "../PlatformIcon/PlatformIcon";

type NameStyle = CSSProperties & { "--name-dark": string; "--name-light": string };

export interface MessageRowProps {
  row: FeedRow;
  me: string | null;
  /** Set when the reader moderates this channel. */
  mod: Moderator | null;
  /** The author's suspicious-user mark (moderators only). */
  status?: "restricted" | "monitored" | undefined;
}

/** Sentiment colours: a tinted left edge and the label as text (never colour alone). */
const SENTIMENT = {
  positive: {
    row: "border-l-2 border-emerald-500 bg-emerald-500/5 pl-2.5",
    mark: "text-emerald-600 dark:text-emerald-400",
    sign: "+",
    text: "Positive message",
  },
  negative: {
    row: "border-l-2 border-red-500 bg-red-500/5 pl-2.5",
    mark: "text-red-600 dark:text-red-400",
    sign: "−",
    text: "Negative message",
  },
} as const;

export const MessageRow = memo(function MessageRow({ row, me, mod, status }: MessageRowProps) {
  // One selector per row, read only while rendering it: no work per message beyond a lookup.
  const sentimentColors = useAnalysis((s) => s.sentimentColors);
  if (row.kind === "divider") {
    const Icon = row.tone === "loss" ? CloudOff : History;
    return (
      <div
        data-row="divider"
        data-tone={row.tone}
        className={`flex items-center gap-2 px-3 py-2 font-medium text-xs ${
          row.tone === "loss" ? "text-amber-700 dark:text-amber-400" : "text-violet-700 dark:text-violet-300"
        }`}
      >
        <span aria-hidden="true" className="h-px flex-1 bg-current opacity-40" />
        <Icon className="size-3.5 shrink-0" aria-hidden="true" />
        <span>{row.text}</span>
        <span aria-hidden="true" className="h-px flex-1 bg-current opacity-40" />
      </div>
    );
  }
  if (row.kind === "notice") {
    return (
      <div
        data-row="notice"
        className="flex items-start gap-1.5 px-3 py-1 text-xs italic text-zinc-500 dark:text-zinc-400"
      >
        <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
        <bdi>{row.text}</bdi>
      </div>
    );
  }
  const { message, removed } = row;
  const { author } = message;
  const mine = me !== null && author.username === me;
  const mentioned = me !== null && !mine && !removed && mentions(message.text, message.mentions, me);
  const allowed = removed ? null : allowedActions(mod, author);
  const colors = readableNameColors(author.color, author.username);
  const nameStyle: NameStyle = { "--name-dark": colors.dark, "--name-light": colors.light };
  // Moderators keep an eye on first-time chatters (Twitch's highlight).
  const first = mod !== null && message.firstMessage === true;
  const label = sentimentColors && !removed ? message.sentiment?.label : undefined;
  const tone = label === "positive" || label === "negative" ? SENTIMENT[label] : undefined;
  return (
    <div
      data-row="message"
      data-seq={message.seq}
      data-id={message.id}
      data-mentioned={mentioned ? "" : undefined}
      data-removed={removed ? removed.cause : undefined}
      data-first={first ? "" : undefined}
      data-status={mod !== null ? status : undefined}
      data-sentiment={label}
      className={`group relative break-words px-3 py-0.5 text-sm leading-6 hover:bg-zinc-200/60 dark:hover:bg-zinc-800/50 ${
        mentioned
          ? "border-l-2 border-violet-500 bg-violet-500/10 pl-2.5"
          : first
            ? "border-l-2 border-sky-500 bg-sky-500/10 pl-2.5"
            : (tone?.row ?? "")
      }`}
    >
      <time
        dateTime={new Date(message.createdAt).toISOString()}
        className="float-right ml-2 select-none text-[0.7rem] tabular-nums text-zinc-500 opacity-0 motion-safe:transition-opacity group-hover:opacity-100 dark:text-zinc-400"
      >
        {formatClock(message.createdAt)}
      </time>
      {allowed && (allowed.delete || allowed.sanction) && <ModActions message={message} allowed={allowed} />}
      {first && (
        <span
          role="img"
          aria-label="First message"
          title="First message in this channel"
          className="mr-1 inline-block align-[-0.15em]"
        >
          <SpriteIcon name="first" className="size-3.5 text-sky-500" />
        </span>
      )}
      {mod !== null && status && (
        <span
          role="img"
          aria-label={status === "restricted" ? "Restricted user" : "Monitored user"}
          title={status === "restricted" ? "Restricted user" : "Monitored user"}
          data-part="status"
          className="mr-1 inline-block align-[-0.15em]"
        >
          <SpriteIcon
            name={status}
            className={`size-3.5 ${status === "restricted" ? "text-red-500" : "text-amber-500"}`}
          />
        </span>
      )}
      {tone && (
        <span
          role="img"
          aria-label={tone.text}
          title={tone.text}
          data-part="sentiment"
          className={`mr-1 inline-block w-2 text-center font-bold ${tone.mark}`}
        >
          {tone.sign}
        </span>
      )}
      <PlatformIcon platform={author.platform} />
      <AuthorBadges badges={author.badges} />
      <button
        type="button"
        onClick={() => moderationActions.openCard(author.username)}
        data-part="name-button"
        className="inline cursor-pointer rounded-sm hover:underline"
      >
        <bdi data-part="name" className="author-name font-bold" style={nameStyle}>
          {author.displayName}
        </bdi>
      </button>
      <span className="text-zinc-500">: </span>
      {removed ? (
        <>
          <bdi
            data-part="removed-text"
            className="text-zinc-500 line-through [overflow-wrap:anywhere] dark:text-zinc-500"
          >
            {message.text}
          </bdi>{" "}
          <em data-part="deleted" className="text-xs text-zinc-500 dark:text-zinc-400">
            ({removalText(removed)})
          </em>
        </>
      ) : (
        <bdi data-part="text" className="[overflow-wrap:anywhere]">
          <MessageText text={message.text} me={mine ? null : me} emotes={message.emotes} />
        </bdi>
      )}
    </div>
  );
});

function removalText(removed: Removal): string {
  switch (removed.cause) {
    case "deleted":
      return removed.by ? `deleted by ${removed.by}` : "deleted";
    case "cleared":
      return removed.by ? `cleared by ${removed.by}` : "cleared";
    case "timeout":
      return "hidden: user timed out";
    case "ban":
      return "hidden: user banned";
  }
}
