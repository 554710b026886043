// Messages per second over time as columns (sent, with failed stacked on top). The columns are an
// SVG stretched to the width available; the axis labels are HTML beside it, so they never stretch
// with it. Its accessible name sums it up (peak, average, how long); "Show the numbers" lists every
// column as a table for whoever prefers to read them.
import { formatClock } from '@/utils/format';
import { niceCeiling, toColumns, type CountPoint } from './series';

const WIDTH = 600;
const HEIGHT = 180;
/** A short run still gets thin columns, growing from the left, rather than a few wide blocks. */
const MIN_SLOTS = 30;

function round(n: number): number {
  return n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
}

function clock(ms: number): string {
  return formatClock(new Date(ms).toISOString());
}

export function TimeSeriesChart({ points, title }: { points: readonly CountPoint[]; title: string }) {
  const { columns, max, span } = toColumns(points);
  if (columns.length === 0) return <p className="muted">Nothing has been sent yet.</p>;
  const top = niceCeiling(max);
  const step = WIDTH / Math.max(columns.length, MIN_SLOTS);
  const barW = Math.max(1, step * 0.75);
  const y = (v: number) => HEIGHT - (v / top) * HEIGHT;
  const totalSent = columns.reduce((s, c) => s + c.sent * c.seconds, 0);
  const totalFailed = columns.reduce((s, c) => s + c.failed * c.seconds, 0);
  const peak = Math.max(...columns.map((c) => c.sent + c.failed));
  const average = (totalSent + totalFailed) / Math.max(1, span);
  const summary = `${title}: peak ${round(peak)} per second, average ${round(average)} per second over ${span} ${
    span === 1 ? 'second' : 'seconds'
  }; ${Math.round(totalSent)} sent and ${Math.round(totalFailed)} failed in total.`;
  const first = columns[0];
  const last = columns[columns.length - 1];
  return (
    <div className="timeseries">
      <div className="timeseries__chart">
        <div className="timeseries__y" aria-hidden="true">
          <span>{round(top)}</span>
          <span>{round(top / 2)}</span>
          <span>0</span>
        </div>
        <svg
          className="timeseries__svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={summary}
          focusable="false"
        >
          {[0, top / 2, top].map((v) => (
            <line key={v} x1={0} x2={WIDTH} y1={y(v)} y2={y(v)} className="timeseries__grid" />
          ))}
          {columns.map((c, i) => {
            const x = i * step + (step - barW) / 2;
            return (
              <g key={c.start}>
                {c.sent > 0 ? <rect x={x} y={y(c.sent)} width={barW} height={HEIGHT - y(c.sent)} className="timeseries__sent" /> : null}
                {c.failed > 0 ? (
                  <rect x={x} y={y(c.sent + c.failed)} width={barW} height={y(c.sent) - y(c.sent + c.failed)} className="timeseries__failed" />
                ) : null}
              </g>
            );
          })}
        </svg>
        <span />
        <div className="timeseries__x" aria-hidden="true">
          <span>{first ? clock(first.start) : ''}</span>
          <span>{last && columns.length > 1 ? clock(last.start + (last.seconds - 1) * 1000) : ''}</span>
        </div>
      </div>
      <p className="timeseries__legend" aria-hidden="true">
        <span className="legend-swatch legend-swatch--sent" /> Sent <span className="legend-swatch legend-swatch--failed" /> Failed{' '}
        <span className="muted">· messages per second</span>
      </p>
      <details className="timeseries__numbers">
        <summary>Show the numbers</summary>
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">{title}, per second</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">Sent per second</th>
                <th scope="col">Failed per second</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((c) => (
                <tr key={c.start}>
                  <td>
                    <time dateTime={new Date(c.start).toISOString()}>{clock(c.start)}</time>
                    {c.seconds > 1 ? <span className="muted"> ({c.seconds} s)</span> : null}
                  </td>
                  <td>{round(c.sent)}</td>
                  <td>{round(c.failed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
