/**
 * Message text as React text nodes (never HTML). Links become anchors only for http(s) URLs,
 * open in a new tab and carry `rel="noopener noreferrer nofollow ugc"`; @mentions of the
 * reader are emphasised.
 */
import { memo } from "react";
import { segmentText } from "../../lib/text";

const LINK_REL = "noopener noreferrer nofollow ugc";

export const MessageText = memo(function MessageText({ text, me }: { text: string; me: string | null }) {
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
});
