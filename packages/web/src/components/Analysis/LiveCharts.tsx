/**
 * The dashboard's three live charts over the last 30 minutes of `stats`: the message rate, the
 * mood, and the audience. Loaded on its own (uPlot stays out of the viewer page's bundle).
 */
import { useMemo } from "react";
import type uPlot from "uplot";
import { audienceSeries, describeMood, formatMood, formatShare, rateSeries, sentimentSeries } from "../../lib/analysis";
import { statsPoints, useAnalysis } from "../../store/analysis";
import { axis, TimeChart } from "./TimeChart";

const VIOLET = "#8b5cf6";
const GREY = "#a1a1aa";
const EMERALD = "#10b981";
const RED = "#ef4444";
const AMBER = "#f59e0b";
const SKY = "#0ea5e9";

const whole = (_: uPlot, v: number | null): string => (v === null ? "–" : String(Math.round(v)));
const percent = (_: uPlot, v: number | null): string => (v === null ? "–" : `${Math.round(v)}%`);
const mood = (_: uPlot, v: number | null): string => (v === null ? "–" : formatMood(v));
/** A y scale from 0 that still shows a little when everything is 0. */
const fromZero = (_: uPlot, _min: number | null, max: number | null): uPlot.Range.MinMax => [
  0,
  Math.max(5, Math.ceil((max ?? 0) * 1.1)),
];

const RATE_SERIES: uPlot.Series[] = [
  { label: "Last minute", stroke: VIOLET, fill: "rgba(139, 92, 246, 0.15)", width: 2, value: whole },
  {
    label: "5-min average",
    stroke: GREY,
    width: 1.5,
    dash: [4, 4],
    value: (_, v) => (v === null ? "–" : v.toFixed(1)),
  },
];
const SENTIMENT_SERIES: uPlot.Series[] = [
  { label: "Positive", stroke: EMERALD, width: 2, scale: "%", value: percent },
  { label: "Negative", stroke: RED, width: 2, scale: "%", value: percent },
  { label: "Mood", stroke: AMBER, width: 1.5, dash: [4, 4], scale: "mood", value: mood },
];
const SENTIMENT_AXES: uPlot.Axis[] = [
  axis({ scale: "%", values: (_, ticks) => ticks.map((t) => `${t}%`) }),
  axis({ scale: "mood", side: 1, grid: { show: false }, values: (_, ticks) => ticks.map((t) => t.toFixed(1)) }),
];
const SENTIMENT_SCALES: uPlot.Scales = { "%": { range: [0, 100] }, mood: { range: [-1, 1] } };
const AUDIENCE_SERIES: uPlot.Series[] = [
  { label: "Viewers", stroke: SKY, fill: "rgba(14, 165, 233, 0.12)", width: 2, value: whole },
  { label: "Chatters", stroke: VIOLET, width: 1.5, value: whole },
];
const COUNT_SCALES: uPlot.Scales = { y: { range: fromZero } };

export default function LiveCharts() {
  const version = useAnalysis((s) => s.version);
  const stats = useAnalysis((s) => s.stats);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ring is mutable; `version` moves when it changes
  const points = useMemo(() => statsPoints.toArray(), [version]);
  const rate = useMemo(() => rateSeries(points), [points]);
  const sentiment = useMemo(() => sentimentSeries(points), [points]);
  const audience = useMemo(() => audienceSeries(points), [points]);

  const rateText = stats
    ? `${stats.lastMinute} messages in the last minute, ${stats.messagesPerMinute.toFixed(1)} a minute over 5 minutes`
    : "no data yet";
  const moodText = stats
    ? `${formatShare(stats.sentiment.positive)} positive, ${formatShare(stats.sentiment.negative)} negative, mood ${formatMood(stats.mood)} (${describeMood(stats.mood)})`
    : "no data yet";
  const audienceText = stats ? `${stats.viewers} viewers, ${stats.chatters} chatters in 5 minutes` : "no data yet";

  return (
    <div className="grid gap-4 md:grid-cols-3" data-testid="live-charts">
      <TimeChart
        title="Messages per minute"
        description={rateText}
        data={rate}
        series={RATE_SERIES}
        scales={COUNT_SCALES}
        testId="chart-rate"
      />
      <TimeChart
        title="Sentiment"
        description={moodText}
        data={sentiment}
        series={SENTIMENT_SERIES}
        axes={SENTIMENT_AXES}
        scales={SENTIMENT_SCALES}
        testId="chart-sentiment"
      />
      <TimeChart
        title="Audience"
        description={audienceText}
        data={audience}
        series={AUDIENCE_SERIES}
        scales={COUNT_SCALES}
        testId="chart-audience"
      />
    </div>
  );
}
