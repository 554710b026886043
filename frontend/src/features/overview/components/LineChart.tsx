// A chart of counts over time (today's hours, the seven days) drawn by uPlot — about 22 KB of
// gzip, loaded with the overview only — as a line per status, each with its own colour and dash
// pattern. The canvas is an image to assistive technology, named by a sentence that sums it up;
// the legend says what each line is with its total, and "Show the numbers" lists every point as a
// table.
import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { addCounts, chartSummary, emptyCounts, formatCount, type ChartPoint, type SeriesStyle } from './overview-text';

const HEIGHT = 220;

/** The value of a colour custom property (`--chart-4`), for the canvas, which cannot read them. */
function cssColor(element: Element, variable: string): string {
  return getComputedStyle(element).getPropertyValue(variable).trim() || '#111';
}

/** A round top for the y axis, so the lines do not touch the frame. */
function niceTop(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

export function LineChart({
  title,
  points,
  series,
  period,
  incrs,
  labelSpace,
}: {
  title: string;
  points: readonly ChartPoint[];
  series: readonly SeriesStyle[];
  /** The table's heading of the points' names, e.g. "Hour". */
  period: string;
  /** The steps between labelled points the x axis may use (every hour, every 2…). */
  incrs: number[];
  /** The least room, in pixels, between two labels of the x axis: a narrow chart labels fewer points. */
  labelSpace: number;
}) {
  const plot = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const summary = chartSummary(title, points, series);
  const totals = points.reduce((sum, p) => addCounts(sum, p.counts), emptyCounts());

  useEffect(() => {
    const element = plot.current;
    if (!element) return;
    const labels = points.map((p) => p.label);
    const lines = series.map((s) => points.map((p) => p.counts[s.key]));
    const data: uPlot.AlignedData = [points.map((_, i) => i), ...lines];
    const top = niceTop(Math.max(0, ...lines.flat()));
    const axis = { stroke: cssColor(element, '--muted'), grid: { stroke: cssColor(element, '--line'), width: 1 }, ticks: { show: false } };
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(0.5, points.length - 0.5)] },
        y: { range: () => [0, top] },
      },
      axes: [
        {
          ...axis,
          incrs,
          space: labelSpace,
          values: (_, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
        },
        { ...axis, values: (_, splits) => splits.map((v) => (Number.isInteger(v) ? formatCount(v) : '')) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: cssColor(element, s.color),
          width: 2,
          dash: s.dash,
          points: { show: true, size: 6, fill: cssColor(element, s.color) },
        })),
      ],
    };
    const chart = new uPlot(options, data, element);
    // The chart takes the width it is given; it follows its box (the sidebar, a rotated phone).
    const resize =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => chart.setSize({ width: Math.max(240, element.clientWidth), height: HEIGHT }));
    resize?.observe(element);
    return () => {
      resize?.disconnect();
      chart.destroy();
    };
  }, [points, series, incrs, labelSpace]);

  return (
    <figure className="overview-chart" aria-labelledby={titleId}>
      <figcaption id={titleId} className="overview-chart__title">
        {title}
      </figcaption>
      <div ref={plot} className="overview-chart__plot" role="img" aria-label={summary} />
      <ul className="overview-chart__legend" aria-label={`${title}: totals`}>
        {series.map((s) => (
          <li key={s.key}>
            <svg className="overview-chart__swatch" viewBox="0 0 24 8" aria-hidden="true" focusable="false">
              <line x1="0" y1="4" x2="24" y2="4" stroke={`var(${s.color})`} strokeWidth="2.5" strokeDasharray={s.dash.join(' ') || undefined} />
            </svg>
            {s.label} <strong>{formatCount(totals[s.key])}</strong>
          </li>
        ))}
      </ul>
      <details className="overview-chart__numbers">
        <summary>Show the numbers</summary>
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{period}</th>
                {series.map((s) => (
                  <th key={s.key} scope="col">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.label}>
                  <th scope="row">{p.label}</th>
                  {series.map((s) => (
                    <td key={s.key}>{formatCount(p.counts[s.key])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
