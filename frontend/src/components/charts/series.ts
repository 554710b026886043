// Turning a sparse per-second series (only seconds that saw something) into the columns of a chart:
// every second between the first and the last, empty ones as zero, grouped into at most `maxColumns`
// columns of equal width (each the average per second over its seconds, so the y axis stays
// "per second" however long the job ran).

export interface CountPoint {
  /** ISO time of the second. */
  at: string;
  sent: number;
  failed: number;
}

export interface Column {
  /** Epoch ms of the column's first second. */
  start: number;
  /** Seconds the column covers. */
  seconds: number;
  /** Averages per second over the column. */
  sent: number;
  failed: number;
}

export interface Columns {
  columns: Column[];
  /** The highest column (sent + failed), at least 1 so a flat chart has an axis. */
  max: number;
  /** Seconds from the first to the last point, inclusive. */
  span: number;
}

export function toColumns(points: readonly CountPoint[], maxColumns = 90): Columns {
  const valid = points
    .map((p) => ({ t: Math.floor(Date.parse(p.at) / 1000), sent: Math.max(0, p.sent), failed: Math.max(0, p.failed) }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  const first = valid[0];
  const last = valid[valid.length - 1];
  if (!first || !last) return { columns: [], max: 1, span: 0 };
  const span = last.t - first.t + 1;
  const width = Math.max(1, Math.ceil(span / Math.max(1, maxColumns)));
  const count = Math.ceil(span / width);
  const columns: Column[] = Array.from({ length: count }, (_, i) => ({
    start: (first.t + i * width) * 1000,
    seconds: Math.min(width, span - i * width),
    sent: 0,
    failed: 0,
  }));
  for (const p of valid) {
    const column = columns[Math.floor((p.t - first.t) / width)];
    if (!column) continue;
    column.sent += p.sent;
    column.failed += p.failed;
  }
  for (const c of columns) {
    c.sent /= c.seconds;
    c.failed /= c.seconds;
  }
  const max = Math.max(1, ...columns.map((c) => c.sent + c.failed));
  return { columns, max, span };
}

/** A round number at or above `value` for the top of an axis: 1, 2, 5, 10, 20, 50… */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}
