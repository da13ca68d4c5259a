/**
 * Message text as React text nodes (never HTML). Links become anchors only for http(s) URLs,
 * open in a new tab and carry `rel="noopener noreferrer nofollow ugc"`; @mentions of the
 * reader are emphasised. Platform emotes (bridged messages) become size-limited images with
 * their name as alt text, https images only (lib/streamer decides).
 */
import type { Message } from "@chorus/protocol";
import { memo } from "react";
import { segmentEmotes } from "../../lib/streamer";
import { segmentText } from "../../lib/text";

const LINK_REL = "noopener noreferrer nofollow ugc";

export const MessageText = memo(function MessageText({
  text,
  me,
  emotes,
}: {
  text: string;
  me: string | null;
  emotes?: Message["emotes"];
}) {
  if (emotes && emotes.length > 0)
    return (
      <>
        {segmentEmotes(text, emotes).map((part, i) =>
          part.kind === "emote" ? (
            <img
              key={keyOf("e", i)}
              src={part.url}
              alt={part.name}
              title={part.name}
              loading="lazy"
              referrerPolicy="no-referrer"
              data-part="emote"
              className="inline-block h-7 max-h-7 w-auto max-w-20 align-middle"
            />
          ) : (
            <TextRun key={keyOf("t", i)} text={part.text} me={me} />
          ),
        )}
      </>
    );
  return <TextRun text={text} me={me} />;
});

/** Segments never reorder: their position is their identity. */
const keyOf = (kind: string, i: number): string => `${kind}${i}`;

function TextRun({ text, me }: { text: string; me: string | null }) {
  const segments = segmentText(text);
  return (
    <>
      {segments.map((s, i) => {
        const key = `${i}`;
        if (s.kind === "link")
          return (
            <a
              key={key}
              href={s.href}
              target="_blank"
              rel={LINK_REL}
              className="text-violet-700 underline decoration-violet-400/50 underline-offset-2 hover:decoration-current dark:text-violet-300"
            >
              {s.text}
            </a>
          );
        if (s.kind === "mention")
          return (
            <span
              key={key}
              className={
                s.username === me
                  ? "rounded bg-violet-600 px-0.5 font-semibold text-white"
                  : "font-semibold text-zinc-700 dark:text-zinc-300"
              }
            >
              {s.text}
            </span>
          );
        return <span key={key}>{s.text}</span>;
      })}
    </>
  );
}
