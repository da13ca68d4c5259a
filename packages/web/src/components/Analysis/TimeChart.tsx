/**
 * One uPlot time chart. The plot is made once and then only fed: new data goes in with
 * `setData` (no re-creation, so a chart updated every couple of seconds stays smooth), and a
 * ResizeObserver gives it the container's width. uPlot styles its own elements through the
 * CSSOM and draws on a canvas, which the page's Content-Security-Policy allows; its stylesheet
 * is bundled with this chunk.
 *
 * A canvas says nothing to a screen reader: `description` is the chart's text alternative
 * (the latest values); the legend names every series in text for sighted readers.
 */
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import { pointCount, type SeriesData } from "../../lib/analysis";

const HEIGHT = 160;
/** Readable on the dark and the light theme alike. */
export const AXIS_COLOR = "#71717a";
const GRID = { stroke: "rgba(113, 113, 122, 0.2)", width: 1 };

export interface TimeChartProps {
  title: string;
  description: string;
  data: SeriesData;
  /** The y series (uPlot's series[1…]). */
  series: uPlot.Series[];
  /** The y axes (uPlot's axes[1…]); one plain axis when left out. */
  axes?: uPlot.Axis[];
  scales?: uPlot.Scales;
  testId: string;
}

export function TimeChart({ title, description, data, series, axes, scales, testId }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The options are read once, when the plot is made: they describe the chart, not its data.
  const initial = useRef({ data, series, axes, scales });

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const { data: first, series: ys, axes: yAxes, scales: yScales } = initial.current;
    const made = new uPlot(
      {
        width: Math.max(200, Math.floor(element.clientWidth)),
        height: HEIGHT,
        series: [{}, ...ys],
        scales: { x: { time: true }, ...yScales },
        axes: [{ stroke: AXIS_COLOR, grid: GRID, ticks: GRID }, ...(yAxes ?? [axis()])],
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
      },
      first,
      element,
    );
    plot.current = made;
    const observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (width > 0 && width !== made.width) made.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="flex min-w-0 flex-col gap-1" data-testid={testId} data-points={pointCount(data)}>
      <figcaption className="font-medium text-xs text-zinc-600 dark:text-zinc-400">{title}</figcaption>
      {/* uPlot's stylesheet is not in a cascade layer, so these overrides need `!` to win. */}
      <div
        ref={box}
        role="img"
        aria-label={`${title}: ${description}`}
        className="w-full min-w-0 overflow-hidden [&_.u-legend]:text-xs! [&_.u-legend_.u-series:first-child]:hidden!"
      />
    </figure>
  );
}

/** A y axis in the chart's colours: `scale` and `side` (1 = right) for a second scale. */
export function axis(options: uPlot.Axis = {}): uPlot.Axis {
  return { stroke: AXIS_COLOR, grid: GRID, ticks: GRID, size: 52, ...options };
}
