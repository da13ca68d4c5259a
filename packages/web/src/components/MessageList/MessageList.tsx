/**
 * The virtualised chat list. It follows the newest message (see follow.ts for what pauses it),
 * and while paused it stays put and a button counts the new messages; scrolling back to the
 * end, or the button, resumes.
 */
import { ArrowDown } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from "react";
import { Virtuoso } from "react-virtuoso";
import { type FeedRow, visibleRows } from "../../lib/feed";
import { formatCount } from "../../lib/format";
import { feedActions, useFeed } from "../../store/feed";
import { markOf, useModeration } from "../../store/moderation";
import { useSession } from "../../store/session";
import { MessageRow } from "../MessageRow/MessageRow";
import { BottomFollower } from "./follow";

/** How far from the end (px) still counts as "at the end". */
const BOTTOM_SLACK = 32;

/**
 * Height guess for rows not measured yet (one line is 28 px, two are 52). Too small a guess
 * makes the list mount, measure and drop extra rows on every batch, which is most of the cost
 * of a flood; too large leaves a frame with too few rows.
 */
const ROW_ESTIMATE = 36;

const rowKey = (_: number, row: FeedRow): string => row.key;
const isPaused = (): boolean => useFeed.getState().paused;
const setPaused = (paused: boolean): void => feedActions.setPaused(paused);

export function MessageList() {
  const allRows = useFeed((s) => s.rows);
  const mod = useModeration((s) => s.moderator);
  const suspicious = useModeration((s) => s.suspicious);
  const firstTimeOnly = useModeration((s) => s.firstTimeOnly && s.moderator !== null);
  // Viewers never see removed messages; moderators see them marked (and may filter).
  const rows = useMemo(() => visibleRows(allRows, mod !== null, firstTimeOnly), [allRows, mod, firstTimeOnly]);
  const paused = useFeed((s) => s.paused);
  const unseen = useFeed((s) => s.unseen);
  const me = useSession((s) => s.user?.username ?? null);
  const follower = useRef<BottomFollower | null>(null);

  const scrollerRef = useCallback((element: HTMLElement | Window | null) => {
    follower.current?.dispose();
    follower.current =
      element instanceof HTMLElement ? new BottomFollower(element, { slack: BOTTOM_SLACK, isPaused, setPaused }) : null;
  }, []);
  useEffect(() => () => follower.current?.dispose(), []);

  // After every change of the rows, to the end in the next frame, before it is painted: the
  // commit only books the frame (a layout effect, so the booking precedes that paint) and the
  // frame reads the list's height when it lays out anyway. Not Virtuoso's followOutput: it
  // follows a growing list, and a feed at its cap trims as many rows as it adds.
  useLayoutEffect(() => {
    if (rows.length > 0) follower.current?.schedule();
  }, [rows]);

  const schedule = useCallback(() => follower.current?.schedule(), []);
  const jumpToLatest = useCallback(() => follower.current?.resume(), []);
  const itemContent = useCallback(
    (_: number, row: FeedRow) => (
      <MessageRow
        row={row}
        me={me}
        mod={mod}
        status={row.kind === "message" ? markOf(suspicious, row.message.author.username)?.status : undefined}
      />
    ),
    [me, mod, suspicious],
  );

  return (
    <div className="relative min-h-0 flex-1">
      <Virtuoso
        data={rows}
        className="h-full overscroll-contain"
        scrollerRef={scrollerRef}
        computeItemKey={rowKey}
        itemContent={itemContent}
        alignToBottom
        totalListHeightChanged={schedule}
        increaseViewportBy={{ top: 150, bottom: 50 }}
        defaultItemHeight={ROW_ESTIMATE}
        role="log"
        aria-live="off"
        aria-label="Chat messages"
        data-testid="chat-list"
        data-paused={paused ? "" : undefined}
      />
      {firstTimeOnly && rows.length === 0 && (
        <p className="absolute inset-x-0 top-3 text-center text-sm text-zinc-500" data-testid="first-time-empty">
          No first-time chatters in the loaded chat.
        </p>
      )}
      {paused && (
        <button
          type="button"
          onClick={jumpToLatest}
          data-testid="jump-to-latest"
          className="-translate-x-1/2 absolute bottom-3 left-1/2 inline-flex items-center gap-1.5 rounded-full bg-violet-600 px-3 py-1.5 font-medium text-sm text-white shadow-lg hover:bg-violet-500"
        >
          <ArrowDown className="size-4" aria-hidden="true" />
          {unseen > 0 ? `${formatCount(unseen)} new ${unseen === 1 ? "message" : "messages"}` : "Jump to latest"}
        </button>
      )}
    </div>
  );
}
