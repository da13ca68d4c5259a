/**
 * The open channel's live analysis: the latest `stats`, the ring of points the charts draw
 * (mutable, outside the state: `version` moves when it changes), the summaries, and this page's
 * marks on the questions queue; plus the reader's analysis preferences (remembered in
 * localStorage). The transport (services/channel-feed.ts, services/analysis.ts) writes here.
 */
import type { ChannelStats } from "@chorus/protocol";
import { create } from "zustand";
import {
  markQuestion,
  mergeSummaries,
  PointRing,
  pruneMarks,
  type QuestionMark,
  type QuestionMarks,
  type StoredSummary,
  toPoint,
} from "../lib/analysis";

export const CATCH_UP_KEY = "chorus.catchUp";
export const SENTIMENT_COLORS_KEY = "chorus.sentimentColors";

function storedFlag(key: string): boolean {
  try {
    return window.localStorage.getItem(key) === "on";
  } catch {
    return false; // storage disabled
  }
}

/** A replay asked to start at a highlight (the dashboard's past-broadcast timelines). */
export interface PendingJump {
  broadcastId: string;
  seq: number;
  at: number;
}

export interface AnalysisStore {
  channel: string | null;
  stats: ChannelStats | null;
  /** Moves whenever a point joins `statsPoints`. */
  version: number;
  summaries: readonly StoredSummary[];
  marks: QuestionMarks;
  /** The "catch me up" card hides summaries up to this seq (the reader closed it). */
  catchUpDismissedSeq: number;
  catchUp: boolean;
  sentimentColors: boolean;
  pendingJump: PendingJump | null;
}

/** The charts' points for the open channel: the last 30 minutes of `stats`. */
export const statsPoints = new PointRing();

export const useAnalysis = create<AnalysisStore>(() => ({
  channel: null,
  stats: null,
  version: 0,
  summaries: [],
  marks: {},
  catchUpDismissedSeq: 0,
  catchUp: storedFlag(CATCH_UP_KEY),
  sentimentColors: storedFlag(SENTIMENT_COLORS_KEY),
  pendingJump: null,
}));

export const analysisActions = {
  open(channel: string): void {
    statsPoints.clear();
    useAnalysis.setState((s) => ({
      channel,
      stats: null,
      version: s.version + 1,
      summaries: [],
      marks: {},
      catchUpDismissedSeq: 0,
    }));
  },
  /** A `stats` event or the seed; an older one than the page has (the seed, late) only fills the chart. */
  pushStats(stats: ChannelStats): void {
    const added = statsPoints.push(toPoint(stats));
    useAnalysis.setState((s) => {
      const newer = s.stats === null || stats.at > s.stats.at;
      if (!newer && !added) return s;
      return {
        version: added ? s.version + 1 : s.version,
        ...(newer ? { stats, marks: pruneMarks(s.marks, stats.questions) } : {}),
      };
    });
  },
  addSummaries(summaries: readonly StoredSummary[]): void {
    useAnalysis.setState((s) => {
      const merged = mergeSummaries(s.summaries, summaries);
      return merged === s.summaries ? s : { summaries: merged };
    });
  },
  markQuestion(id: string, mark: QuestionMark): void {
    useAnalysis.setState((s) => ({ marks: markQuestion(s.marks, id, mark) }));
  },
  dismissCatchUp(seq: number): void {
    useAnalysis.setState({ catchUpDismissedSeq: seq });
  },
  setFlag(key: "catchUp" | "sentimentColors", on: boolean): void {
    useAnalysis.setState(key === "catchUp" ? { catchUp: on } : { sentimentColors: on });
  },
  requestJump(jump: PendingJump | null): void {
    useAnalysis.setState({ pendingJump: jump });
  },
};
