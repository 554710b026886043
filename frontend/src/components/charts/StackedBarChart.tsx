// Counts per period (e.g. messages per day) as columns stacked by series (e.g. by category). The
// columns are an SVG stretched to the width available; the axis labels are HTML beside it. The
// legend gives each series' total in numbers, the accessible name sums the chart up, and "Show the
// numbers" lists every column as a table for whoever prefers to read them.
import { niceCeiling } from './series';

export interface StackSeries {
  key: string;
  label: string;
  /** A CSS colour (a custom property such as `var(--chart-4)`). */
  color: string;
}

export interface StackColumn {
  key: string;
  /** How the column is named in the table and the summary, e.g. "20 Nov". */
  label: string;
  /** By series key; a missing series is 0. */
  values: Readonly<Record<string, number>>;
}

const WIDTH = 600;
const HEIGHT = 160;

const numbers = new Intl.NumberFormat();

function total(column: StackColumn): number {
  return Object.values(column.values).reduce((sum, v) => sum + Math.max(0, v), 0);
}

export function StackedBarChart({
  columns,
  series,
  title,
  unit,
  period = 'Day',
}: {
  columns: readonly StackColumn[];
  series: readonly StackSeries[];
  /** What the chart shows, e.g. "Template messages per day". */
  title: string;
  /** What is counted, plural, e.g. "messages". */
  unit: string;
  /** The table's heading of the column names. */
  period?: string;
}) {
  const totals = series.map((s) => ({ ...s, total: columns.reduce((sum, c) => sum + Math.max(0, c.values[s.key] ?? 0), 0) }));
  const all = totals.reduce((sum, s) => sum + s.total, 0);
  const busiest = columns.reduce<StackColumn | null>((best, c) => (best === null || total(c) > total(best) ? c : best), null);
  const top = niceCeiling(Math.max(1, ...columns.map(total)));
  const step = WIDTH / Math.max(1, columns.length);
  const barW = Math.max(1, step * 0.7);
  const y = (v: number) => HEIGHT - (v / top) * HEIGHT;
  const summary = `${title}: ${numbers.format(all)} ${unit} in total${
    all > 0 ? ` — ${totals.map((s) => `${s.label} ${numbers.format(s.total)}`).join(', ')}` : ''
  }${busiest && all > 0 ? `; the most on ${busiest.label}, ${numbers.format(total(busiest))}` : ''}.`;
  const first = columns[0];
  const last = columns[columns.length - 1];
  return (
    <div className="stacked-chart">
      <div className="timeseries__chart">
        <div className="timeseries__y" aria-hidden="true">
          <span>{numbers.format(top)}</span>
          <span>{numbers.format(top / 2)}</span>
          <span>0</span>
        </div>
        <svg className="stacked-chart__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary} focusable="false">
          {[0, top / 2, top].map((v) => (
            <line key={v} x1={0} x2={WIDTH} y1={y(v)} y2={y(v)} className="timeseries__grid" />
          ))}
          {columns.map((column, i) => {
            const x = i * step + (step - barW) / 2;
            let base = 0;
            return (
              <g key={column.key}>
                {series.map((s) => {
                  const value = Math.max(0, column.values[s.key] ?? 0);
                  if (value === 0) return null;
                  const rect = <rect key={s.key} x={x} y={y(base + value)} width={barW} height={y(base) - y(base + value)} fill={s.color} />;
                  base += value;
                  return rect;
                })}
              </g>
            );
          })}
        </svg>
        <span />
        <div className="timeseries__x" aria-hidden="true">
          <span>{first?.label ?? ''}</span>
          <span>{last && columns.length > 1 ? last.label : ''}</span>
        </div>
      </div>
      <ul className="stacked-chart__legend" aria-label="Totals">
        {totals.map((s) => (
          <li key={s.key}>
            <span className="legend-swatch" style={{ background: s.color }} aria-hidden="true" /> {s.label}:{' '}
            <strong>{numbers.format(s.total)}</strong>
          </li>
        ))}
      </ul>
      <details className="timeseries__numbers">
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
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((c) => (
                <tr key={c.key}>
                  <th scope="row">{c.label}</th>
                  {series.map((s) => (
                    <td key={s.key}>{numbers.format(c.values[s.key] ?? 0)}</td>
                  ))}
                  <td>{numbers.format(total(c))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
