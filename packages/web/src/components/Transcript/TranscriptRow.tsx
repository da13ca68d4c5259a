/** One message of a transcript or replay; a deleted one is a placeholder, never its text. */
import type { Message } from "@chorus/protocol";
import { type CSSProperties, memo } from "react";
import { readableNameColors } from "../../lib/color";
import { formatClock } from "../../lib/format";
import { AuthorBadges } from "../AuthorBadges/AuthorBadges";
import { MessageText } from "../MessageText/MessageText";
import { PlatformIcon } from "../PlatformIcon/PlatformIcon";

type NameStyle = CSSProperties & { "--name-dark": string; "--name-light": string };

export const TranscriptRow = memo(function TranscriptRow({ message }: { message: Message }) {
  const { author } = message;
  const colors = readableNameColors(author.color, author.username);
  const nameStyle: NameStyle = { "--name-dark": colors.dark, "--name-light": colors.light };
  const deleted = message.deleted === true;
  return (
    <li
      data-row="transcript"
      data-seq={message.seq}
      data-deleted={deleted ? "" : undefined}
      className="break-words px-3 py-0.5 text-sm leading-6"
    >
      <time
        dateTime={new Date(message.createdAt).toISOString()}
        className="mr-2 select-none text-[0.7rem] tabular-nums text-zinc-500"
      >
        {formatClock(message.createdAt)}
      </time>
      <PlatformIcon platform={author.platform} />
      <AuthorBadges badges={author.badges} />
      <bdi className="author-name font-bold" style={nameStyle}>
        {author.displayName}
      </bdi>
      <span className="text-zinc-500">: </span>
      {deleted ? (
        <em data-part="deleted" className="text-xs text-zinc-500">
          message deleted
        </em>
      ) : (
        <bdi className="[overflow-wrap:anywhere]">
          <MessageText text={message.text} me={null} emotes={message.emotes} />
        </bdi>
      )}
    </li>
  );
});
