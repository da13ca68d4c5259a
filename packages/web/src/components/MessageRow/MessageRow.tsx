/**
 * One row of the chat list: a message, a divider (reconnect) or a notice. Names and texts sit
 * in <bdi> so that right-to-left text cannot reorder what is around it. The timestamp shows
 * on hover (and to screen readers, always).
 */
import { CloudOff, History, Info } from "lucide-react";
import { type CSSProperties, memo } from "react";
import { readableNameColors } from "../../lib/color";
import type { FeedRow } from "../../lib/feed";
import { formatClock } from "../../lib/format";
import { mentions } from "../../lib/text";
import { AuthorBadges } from "../AuthorBadges/AuthorBadges";
import { MessageText } from "../MessageText/MessageText";
import { PlatformIcon } from "../PlatformIcon/PlatformIcon";

type NameStyle = CSSProperties & { "--name-dark": string; "--name-light": string };

export const MessageRow = memo(function MessageRow({ row, me }: { row: FeedRow; me: string | null }) {
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
  const { message, deleted } = row;
  const { author } = message;
  const mine = me !== null && author.username === me;
  const mentioned = me !== null && !mine && !deleted && mentions(message.text, message.mentions, me);
  const colors = readableNameColors(author.color, author.username);
  const nameStyle: NameStyle = { "--name-dark": colors.dark, "--name-light": colors.light };
  return (
    <div
      data-row="message"
      data-seq={message.seq}
      data-id={message.id}
      data-mentioned={mentioned ? "" : undefined}
      className={`group relative break-words px-3 py-0.5 text-sm leading-6 hover:bg-zinc-200/60 dark:hover:bg-zinc-800/50 ${
        mentioned ? "border-l-2 border-violet-500 bg-violet-500/10 pl-2.5" : ""
      }`}
    >
      <time
        dateTime={new Date(message.createdAt).toISOString()}
        className="float-right ml-2 select-none text-[0.7rem] tabular-nums text-zinc-500 opacity-0 motion-safe:transition-opacity group-hover:opacity-100 dark:text-zinc-400"
      >
        {formatClock(message.createdAt)}
      </time>
      <PlatformIcon platform={author.platform} />
      <AuthorBadges badges={author.badges} />
      <bdi data-part="name" className="author-name font-bold" style={nameStyle}>
        {author.displayName}
      </bdi>
      <span className="text-zinc-500">: </span>
      {deleted ? (
        <em data-part="deleted" className="text-zinc-500 dark:text-zinc-400">
          message deleted
        </em>
      ) : (
        <bdi data-part="text" className="[overflow-wrap:anywhere]">
          <MessageText text={message.text} me={mine ? null : me} />
        </bdi>
      )}
    </div>
  );
});
