// Step 4: the preview. Asked again every time this step opens (nothing is written): eligible and
// left-out recipients as a donut and as numbers, each reason opening onto who it left out, CSV
// rows that could not be read, how long sending takes, SMS segments, the WhatsApp tier, and three
// messages as they will be sent.
import { Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { DonutChart, type DonutPart } from '@/components/charts/DonutChart';
import { Skeleton } from '@/components/Skeleton';
import { ApiError, describeError, fieldErrorOf } from '@/lib/api-error';
import type { JobRequest } from '../api/bulk-job';
import { usePreview, type Preview } from '../api/preview';
import { formatCount, formatDuration, formatRate, plural, reasonAdvice, reasonLabel } from './bulk-text';
import { StepFrame } from './NewBulkJobPage';
import { STEP_TITLE, type Draft, type Step } from './wizard';

/** Chart colours of the reasons, in the order the API lists them; eligible is always the first. */
const REASON_COLORS = [
  'var(--chart-1)',
  'var(--chart-2)',
  'var(--chart-3)',
  'var(--chart-4)',
  'var(--chart-5)',
  'var(--chart-6)',
  'var(--chart-7)',
  'var(--chart-8)',
  'var(--chart-9)',
];

export interface Breakdown {
  parts: DonutPart[];
  /** The chart's accessible name. */
  label: string;
  /** Reasons that left anyone out, most first. */
  reasons: { reason: string; count: number; color: string }[];
}

/** The preview's counts as chart parts: eligible first, then each reason that left anyone out. */
export function breakdownOf(preview: Pick<Preview, 'eligible' | 'total' | 'excluded'>): Breakdown {
  const reasons = Object.entries(preview.excluded)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count], i) => ({ reason, count, color: REASON_COLORS[i % REASON_COLORS.length] ?? 'var(--chart-1)' }));
  const parts: DonutPart[] = [
    { key: 'eligible', label: 'Eligible', value: preview.eligible, color: 'var(--chart-eligible)' },
    ...reasons.map((r) => ({ key: r.reason, label: reasonLabel(r.reason), value: r.count, color: r.color })),
  ];
  const label = `${formatCount(preview.eligible)} of ${plural(preview.total, 'recipient')} eligible${
    reasons.length ? `; left out: ${reasons.map((r) => `${reasonLabel(r.reason).toLowerCase()} ${formatCount(r.count)}`).join(', ')}` : ''
  }.`;
  return { parts, label, reasons };
}

/** The step a refused field belongs to, to send the operator back there. */
export function stepOfField(field: string): Step | null {
  if (field.startsWith('content')) return 'content';
  if (field.startsWith('recipients')) return 'recipients';
  if (field === 'channel' || field === 'sender' || field === 'name') return 'sender';
  return null;
}

function Excluded({ preview, breakdown }: { preview: Preview; breakdown: Breakdown }) {
  if (breakdown.reasons.length === 0) return <p>Nobody is left out.</p>;
  return (
    <ul className="reason-list">
      {breakdown.reasons.map(({ reason, count, color }) => {
        const people = preview.excludedContacts[reason] ?? [];
        const advice = reasonAdvice(reason);
        return (
          <li key={reason}>
            <details className="reason">
              <summary>
                <span className="legend-swatch" style={{ background: color }} aria-hidden="true" />
                {reasonLabel(reason)}: <strong>{formatCount(count)}</strong>
              </summary>
              {advice ? <p className="muted">{advice}</p> : null}
              {people.length ? (
                <>
                  <ul className="reason__people">
                    {people.map((p, i) => (
                      <li key={`${p.contactId ?? ''}-${p.line ?? ''}-${i}`}>
                        {p.contactId ? (
                          <Link to={`/contacts/${encodeURIComponent(p.contactId)}`}>{p.name?.trim() || p.address || 'Contact'}</Link>
                        ) : (
                          <span>{p.name?.trim() || p.address || 'Row'}</span>
                        )}
                        {p.address && (p.name?.trim() || !p.contactId) ? <span className="muted"> · {p.address}</span> : null}
                        {p.line ? <span className="muted"> · line {p.line}</span> : null}
                      </li>
                    ))}
                  </ul>
                  {people.length < count ? (
                    <p className="muted">
                      The first {formatCount(people.length)} of {formatCount(count)}; the job’s report lists everyone.
                    </p>
                  ) : null}
                </>
              ) : null}
            </details>
          </li>
        );
      })}
    </ul>
  );
}

function Estimates({ preview }: { preview: Preview }) {
  const { tier } = preview;
  const over = tier ? tier.afterJob > tier.limit : false;
  return (
    <dl className="details">
      <div className="details__row">
        <dt>Sending takes</dt>
        <dd>
          About {formatDuration(preview.estimatedSeconds)}, at {formatRate(preview.ratePerSecond)}
        </dd>
      </div>
      {preview.segments !== null && preview.segments !== undefined ? (
        <div className="details__row">
          <dt>SMS segments</dt>
          <dd>
            {plural(preview.segments, 'segment')} in total
            {preview.eligible > 0 ? ` (${formatCount(Math.round((preview.segments / preview.eligible) * 10) / 10)} per message on average)` : ''}
          </dd>
        </div>
      ) : null}
      {tier ? (
        <div className="details__row">
          <dt>WhatsApp tier</dt>
          <dd>
            <span className="tier">
              <span className="tier__bar" aria-hidden="true">
                <span className="tier__used" style={{ width: `${Math.min(100, (tier.used / Math.max(1, tier.limit)) * 100)}%` }} />
                <span
                  className={`tier__job${over ? ' tier__job--over' : ''}`}
                  style={{
                    width: `${Math.max(0, Math.min(100, (tier.afterJob / Math.max(1, tier.limit)) * 100) - Math.min(100, (tier.used / Math.max(1, tier.limit)) * 100))}%`,
                  }}
                />
              </span>
              <span>
                {formatCount(tier.used)} of {formatCount(tier.limit)} business-initiated conversations used in the last 24 hours;{' '}
                {formatCount(tier.afterJob)} after this job.
              </span>
            </span>
            {over ? (
              <span className="field__error"> This is over the limit: send to fewer people, or wait for conversations to expire.</span>
            ) : null}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function Samples({ preview }: { preview: Preview }) {
  if (preview.samples.length === 0) return null;
  return (
    <section aria-labelledby="samples-heading" className="samples">
      <h3 id="samples-heading">As they will receive it</h3>
      <ul className="sample-list">
        {preview.samples.map((s, i) => (
          <li key={`${s.contactId ?? ''}-${i}`} className="sample">
            <p className="sample__to">
              To {s.name ? `${s.name} · ` : ''}
              {s.to}
            </p>
            <p className="sample__text">{s.rendered}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function InvalidRows({ rows }: { rows: Preview['invalidRows'] }) {
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="invalid-heading" className="invalid-rows">
      <h3 id="invalid-heading">Rows that could not be used ({formatCount(rows.length)})</h3>
      <p className="muted">Correct them in the file and upload it again, or go on without them.</p>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.line}-${r.problem}`}>
                <td>{r.line}</td>
                <td>{r.problem}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function PreviewResult({ preview }: { preview: Preview }) {
  const breakdown = breakdownOf(preview);
  const excludedTotal = breakdown.reasons.reduce((s, r) => s + r.count, 0);
  return (
    <div className="preview">
      <div className="preview__summary">
        <DonutChart
          parts={breakdown.parts}
          label={breakdown.label}
          center={
            <>
              <strong>{formatCount(preview.eligible)}</strong>
              <span>eligible</span>
            </>
          }
        />
        <div className="preview__numbers">
          <p className="preview__headline">
            <strong>{formatCount(preview.eligible)}</strong> of {plural(preview.total, 'recipient')} will receive it;{' '}
            {formatCount(excludedTotal)} left out.
          </p>
          <p className="preview__eligible">
            <span className="legend-swatch legend-swatch--eligible" aria-hidden="true" />
            Eligible: <strong>{formatCount(preview.eligible)}</strong>
          </p>
          <Excluded preview={preview} breakdown={breakdown} />
        </div>
      </div>
      <InvalidRows rows={preview.invalidRows} />
      <Estimates preview={preview} />
      <Samples preview={preview} />
    </div>
  );
}

export function PreviewStep({
  request,
  draft,
  recount,
  onBack,
  onGo,
  onContinue,
}: {
  request: JobRequest | null;
  draft: Draft;
  /** Why the preview is shown again (Start found a different count). */
  recount: string | null;
  onBack: () => void;
  onGo: (step: Step) => void;
  onContinue: (preview: Preview) => void;
}) {
  const preview = usePreview(request);
  const data = preview.data;
  const refreshing = preview.isFetching && !preview.isPending;
  const field = fieldErrorOf(preview.error);
  const fieldStep = field ? stepOfField(field.field) : null;

  const body = () => {
    if (!request) return <Alert tone="info">Complete the first three steps first.</Alert>;
    if (preview.isPending) {
      return (
        <div className="preview-loading">
          <p role="status">Counting who would receive it…</p>
          <Skeleton height="10rem" />
        </div>
      );
    }
    if (preview.isError && !data) {
      const notFound = preview.error instanceof ApiError && preview.error.code === 'NOT_FOUND';
      return (
        <Alert title="The preview could not be made.">
          <p>{describeError(preview.error)}</p>
          {notFound && draft.source === 'upload' ? <p>Upload the CSV again in the Recipients step.</p> : null}
          <p className="inline-actions">
            {fieldStep ? (
              <Button variant="secondary" onClick={() => onGo(fieldStep)}>
                Go to {STEP_TITLE[fieldStep]}
              </Button>
            ) : null}
            {notFound && draft.source === 'upload' ? (
              <Button variant="secondary" onClick={() => onGo('recipients')}>
                Go to {STEP_TITLE.recipients}
              </Button>
            ) : null}
            <Button variant="secondary" onClick={() => void preview.refetch()}>
              Try again
            </Button>
          </p>
        </Alert>
      );
    }
    if (!data) return null;
    return (
      <>
        <p className="list-status" role="status">
          {refreshing ? 'Counting again…' : ''}
        </p>
        <PreviewResult preview={data} />
        {data.eligible === 0 ? (
          <Alert tone="info">
            Nobody would receive this message. Change the recipients (or record their consent), or the message, and preview again.
          </Alert>
        ) : null}
      </>
    );
  };

  return (
    <StepFrame
      step="preview"
      actions={
        <>
          <Button variant="secondary" onClick={onBack}>
            Back
          </Button>
          <Button
            disabled={!data || data.eligible === 0 || preview.isFetching}
            onClick={() => {
              if (data) onContinue(data);
            }}
          >
            Continue
          </Button>
        </>
      }
    >
      {recount ? <Alert tone="info" title="The number of eligible recipients has changed.">{recount}</Alert> : null}
      {body()}
    </StepFrame>
  );
}
