// A donut of parts of a whole, drawn in SVG for the eye; its accessible name says every part in
// words, and the page shows the numbers beside it (the legend), so nothing depends on colour.
import type { ReactNode } from 'react';

export interface DonutPart {
  key: string;
  label: string;
  value: number;
  /** A CSS colour (a custom property such as `var(--chart-sent)`). */
  color: string;
}

const RADIUS = 15.915494309189533; // a circumference of 100: dash lengths are percentages
const STROKE = 6;

export function DonutChart({
  parts,
  label,
  center,
  size = 160,
}: {
  parts: readonly DonutPart[];
  /** The chart's accessible name: the parts in words. */
  label: string;
  /** Shown in the hole, e.g. the main number. */
  center?: ReactNode;
  size?: number;
}) {
  const total = parts.reduce((sum, p) => sum + Math.max(0, p.value), 0);
  let offset = 0;
  return (
    <figure className="donut" style={{ width: size, height: size }}>
      <svg viewBox="0 0 42 42" width={size} height={size} role="img" aria-label={label} focusable="false">
        <circle cx="21" cy="21" r={RADIUS} fill="none" stroke="var(--chart-empty)" strokeWidth={STROKE} />
        {total > 0
          ? parts
              .filter((p) => p.value > 0)
              .map((p) => {
                const share = (p.value / total) * 100;
                const circle = (
                  <circle
                    key={p.key}
                    cx="21"
                    cy="21"
                    r={RADIUS}
                    fill="none"
                    stroke={p.color}
                    strokeWidth={STROKE}
                    strokeDasharray={`${share} ${100 - share}`}
                    // Start at 12 o'clock and go clockwise.
                    strokeDashoffset={25 - offset}
                  />
                );
                offset += share;
                return circle;
              })
          : null}
      </svg>
      {center ? (
        <figcaption className="donut__center" aria-hidden="true">
          {center}
        </figcaption>
      ) : null}
    </figure>
  );
}
