// One bulk job, live: its progress (polled every second while it may still change), messages per
// second over time, the time left, the controls its status allows (Operator and Admin only; cancel
// asks first), the report once it is ready, and its recipients by outcome — the failed ones first.
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ChannelIcon } from '@/components/ChannelIcon';
import { TimeSeriesChart } from '@/components/charts/TimeSeriesChart';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { PageHeader } from '@/components/PageHeader';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { useFlashNotice } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { ApiError, describeError } from '@/lib/api-error';
import { useCan, useCurrentUser } from '@/lib/authorization';
import { senderName, useSenders } from '@/lib/senders';
import { formatDateTime } from '@/utils/format';
import { RECIPIENT_STATUSES, type Job, type JobDetail } from '../api/bulk-job';
import { useControlJob } from '../api/control-job';
import { useJob } from '../api/get-job';
import { useRecipients } from '../api/get-recipients';
import { useReport } from '../api/get-report';
import { controlsFor, isFinal, isSettling, type Control } from '../api/job-status';
import {
  channelLabel,
  formatCount,
  formatDuration,
  formatRate,
  isMessageChannel,
  jobTitle,
  reasonLabel,
  statusView,
  RECIPIENT_STATUS_LABEL,
} from './bulk-text';
import { JobProgressBar, OutcomeCounts } from './JobProgressBar';
import { JobStatusBadge } from './JobStatusBadge';

function BackLink() {
  return (
    <Link className="back-link" to="/bulk">
      ← All bulk jobs
    </Link>
  );
}

function JobSkeleton() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="16em" height="2rem" />
      </div>
      <div className="panel">
        <Skeleton height="1rem" />
        <Skeleton width="70%" height="1em" />
      </div>
      <div className="panel">
        <Skeleton height="10rem" />
      </div>
    </div>
  );
}

/** What is said under the bar: time left, paused, or when it ended. */
function Pace({ detail }: { detail: JobDetail }) {
  const { job, ratePerSecond, etaSeconds } = detail;
  if (job.status === 'PAUSED') return <p>Paused: nothing more is sent until the job is resumed.</p>;
  if (job.status === 'PENDING') return <p>Preparing the recipients; sending starts in a moment.</p>;
  if (job.status === 'RUNNING') {
    return (
      <p>
        {etaSeconds !== null && etaSeconds !== undefined ? `About ${formatDuration(etaSeconds)} left` : 'Estimating the time left'}
        {ratePerSecond ? ` at ${formatRate(ratePerSecond)}` : ''}.
      </p>
    );
  }
  if (job.progress.pending > 0) return <p>Setting aside the recipients not reached yet…</p>;
  return job.finishedAt ? (
    <p>
      Finished <time dateTime={job.finishedAt}>{formatDateTime(job.finishedAt)}</time>.
    </p>
  ) : null;
}

function Breakdown({ title, counts }: { title: string; counts: Record<string, number> }) {
  const rows = Object.entries(counts).filter(([, n]) => n > 0);
  if (rows.length === 0) return null;
  return (
    <div className="breakdown">
      <h3 className="breakdown__title">{title}</h3>
      <ul className="breakdown__list">
        {rows.map(([reason, n]) => (
          <li key={reason}>
            {reasonLabel(reason)}: <strong>{formatCount(n)}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

const CONTROL_LABEL: Record<Control, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel job' };
const CONTROL_DONE: Record<Control, string> = {
  pause: 'Paused. Nothing more is sent until you resume the job.',
  resume: 'Resumed.',
  cancel: 'Cancelled. Nobody else will receive this message.',
};

function Controls({ job }: { job: Job }) {
  const control = useControlJob(job.jobId);
  const [confirming, setConfirming] = useState(false);
  const allowed = controlsFor(job.status);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (control.error && !confirming) errorBox.current?.focus();
  }, [control.error, confirming]);

  const run = (action: Control) =>
    control.mutate(action, {
      onSuccess: () => setConfirming(false),
    });
  const conflict = control.error instanceof ApiError && control.error.code === 'CONFLICT';
  const errorText = control.error
    ? conflict
      ? `${describeError(control.error)}. The page now shows where the job stands.`
      : `${describeError(control.error)} Try again.`
    : null;
  return (
    <>
      {allowed.length > 0 ? (
        <div className="job-controls" role="group" aria-label="Job controls">
          {allowed.includes('pause') ? (
            <Button variant="secondary" onClick={() => run('pause')} busy={control.isPending && control.variables === 'pause'}>
              Pause
            </Button>
          ) : null}
          {allowed.includes('resume') ? (
            <Button onClick={() => run('resume')} busy={control.isPending && control.variables === 'resume'}>
              Resume
            </Button>
          ) : null}
          {allowed.includes('cancel') ? (
            <Button
              variant="danger"
              onClick={() => {
                control.reset();
                setConfirming(true);
              }}
            >
              {CONTROL_LABEL.cancel}
            </Button>
          ) : null}
        </div>
      ) : null}
      <div ref={errorBox} tabIndex={-1} className="form__error">
        {errorText && !confirming ? <Alert title="The job was not changed.">{errorText}</Alert> : null}
      </div>
      <p className="visually-hidden" role="status">
        {control.isSuccess ? CONTROL_DONE[control.variables] : ''}
      </p>
      <ConfirmDialog
        open={confirming}
        title="Cancel this job?"
        confirmLabel="Cancel job"
        cancelLabel="Keep the job"
        busy={control.isPending}
        error={errorText && confirming ? <Alert>{errorText}</Alert> : null}
        onCancel={() => {
          setConfirming(false);
          control.reset();
        }}
        onConfirm={() => run('cancel')}
      >
        <p>
          {formatCount(job.progress.pending)} {job.progress.pending === 1 ? 'recipient' : 'recipients'} not reached yet will not
          get this message. Messages already sent stay sent. A cancelled job cannot be restarted.
        </p>
      </ConfirmDialog>
    </>
  );
}

function Report({ job }: { job: Job }) {
  const report = useReport(job.jobId, { enabled: job.reportReady });
  if (!job.reportReady) {
    return (
      <p className="muted">
        {isFinal(job.status)
          ? 'The report is being written; the download appears here in a moment.'
          : 'The report (every recipient and what happened to them, as CSV) is ready once the job has finished.'}
      </p>
    );
  }
  if (report.isPending) return <p className="muted">Getting the download link…</p>;
  if (report.isError) {
    return (
      <Alert title="The report could not be fetched.">
        <p>{describeError(report.error)}</p>
        <Button variant="secondary" onClick={() => void report.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  }
  return (
    <div className="report-link">
      <a className="button button--secondary" href={report.data.url} download>
        Download report (CSV)
      </a>
      <p className="muted">
        Every recipient and what happened to them. The link works until{' '}
        <time dateTime={report.data.expiresAt}>{formatDateTime(report.data.expiresAt)}</time>, and is renewed while this page is open.
      </p>
    </div>
  );
}

const NONE: Record<string, string> = {
  failed: 'No recipient has failed.',
  sent: 'Nothing has been sent yet.',
  skipped: 'No recipient was skipped.',
  unknown: 'No delivery is of unknown outcome.',
  cancelled: 'No recipient was cancelled.',
  pending: 'Nobody is waiting to be sent to.',
};

const RECIPIENT_FILTERS = RECIPIENT_STATUSES.map((value) => ({ value, label: RECIPIENT_STATUS_LABEL[value] ?? value }));

function Recipients({ job }: { job: Job }) {
  const [status, setStatus] = useState<string>('failed');
  const recipients = useRecipients(job.jobId, status, { live: isSettling(job) });
  const items = recipients.data?.pages.flatMap((page) => page.items);
  const statusLabel = (RECIPIENT_STATUS_LABEL[status] ?? status).toLowerCase();

  const table = () => {
    if (recipients.isPending) return <Skeleton height="6rem" />;
    if (recipients.isError && !items) {
      return (
        <Alert title="The recipients could not be loaded.">
          <p>{describeError(recipients.error)}</p>
          <Button variant="secondary" onClick={() => void recipients.refetch()}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (!items || items.length === 0) return <p className="empty">{NONE[status] ?? `No recipients are ${statusLabel}.`}</p>;
    return (
      <>
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Recipients {statusLabel}</caption>
            <thead>
              <tr>
                <th scope="col">Recipient</th>
                <th scope="col">Reason</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.contactId}>
                  <td>
                    {/* A plain path: the contact's page is another feature's. */}
                    <Link to={`/contacts/${encodeURIComponent(r.contactId)}`}>{r.address ?? r.contactId}</Link>
                  </td>
                  <td>{r.reason ? reasonLabel(r.reason) : '—'}</td>
                  <td>{r.settledAt ? <time dateTime={r.settledAt}>{formatDateTime(r.settledAt)}</time> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {recipients.hasNextPage ? (
          <div className="load-more">
            <Button variant="secondary" onClick={() => void recipients.fetchNextPage()} busy={recipients.isFetchingNextPage}>
              {recipients.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </>
    );
  };

  return (
    <section className="panel" aria-labelledby="recipients-heading">
      <h2 className="panel__title" id="recipients-heading">
        Recipients
      </h2>
      <SelectField
        label="Show recipients"
        className="job-filter"
        value={status}
        options={RECIPIENT_FILTERS}
        onChange={(e) => setStatus(e.target.value)}
      />
      {table()}
    </section>
  );
}

function contentSummary(content: unknown): string | null {
  if (typeof content !== 'object' || content === null || !('type' in content)) return null;
  const c = content as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (c.type) {
    case 'template':
      return `Template ${str(c.name)} (${str(c.language)})`;
    case 'text':
      return str(c.body);
    case 'email':
      return `Subject: ${str(c.subject)}`;
    default:
      return null;
  }
}

export function BulkJobPage() {
  const { jobId = '' } = useParams();
  const canManage = useCan('manageBulk');
  const me = useCurrentUser();
  const notice = useFlashNotice();
  const detail = useJob(jobId);
  const senders = useSenders();
  const job = detail.data?.job;
  usePageTitle(job ? jobTitle(job) : 'Bulk job');

  if (detail.isPending) {
    return (
      <>
        <BackLink />
        <JobSkeleton />
      </>
    );
  }
  if (detail.isError && !detail.data) {
    const notFound = detail.error instanceof ApiError && detail.error.code === 'NOT_FOUND';
    return (
      <>
        <BackLink />
        <PageHeader title={notFound ? 'Bulk job not found' : 'Bulk job'} />
        <Alert tone={notFound ? 'info' : 'error'}>
          {notFound ? (
            <>
              This job does not exist, or belongs to another organisation. <Link to="/bulk">See all bulk jobs</Link>
            </>
          ) : (
            <>
              {describeError(detail.error)}{' '}
              <Button variant="secondary" onClick={() => void detail.refetch()}>
                Try again
              </Button>
            </>
          )}
        </Alert>
      </>
    );
  }
  const data = detail.data;
  const current = data.job;
  const title = jobTitle(current);
  const content = contentSummary(current.content);

  return (
    <>
      <BackLink />
      <PageHeader
        title={
          <span className="job-title">
            <span>{title}</span> <JobStatusBadge status={current.status} />
          </span>
        }
        actions={canManage ? <Controls job={current} /> : null}
      />
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {current.quietUntil && !isFinal(current.status) ? (
        <Alert tone="info" title="Waiting for quiet hours to end.">
          <p>
            Your organisation’s quiet hours are on, so nothing is sent now. Sending resumes by itself at{' '}
            <time dateTime={current.quietUntil}>{formatDateTime(current.quietUntil)}</time>; the recipients stay pending until
            then. An administrator can change quiet hours in Settings.
          </p>
        </Alert>
      ) : null}
      {current.stalled && !isFinal(current.status) ? (
        <Alert title="This job has stopped making progress.">
          <p>
            Nothing has been sent for a while although recipients are still waiting. Try pausing and resuming it; if it stays
            stalled, cancel it and tell your administrator (the job’s work may be in the bulk dead-letter queue).
          </p>
        </Alert>
      ) : null}
      {detail.isError ? (
        <Alert>{describeError(detail.error)} The figures below may be out of date; they are retried every second.</Alert>
      ) : null}

      <div className="job-sections">
        <section className="panel" aria-labelledby="progress-heading">
          <h2 className="panel__title" id="progress-heading">
            Progress
          </h2>
          <JobProgressBar progress={current.progress} label="Job progress" />
          <OutcomeCounts progress={current.progress} />
          <Pace detail={data} />
          <p className="visually-hidden" role="status">
            Status: {statusView(current.status).label}
          </p>
          <Breakdown title="Skipped while sending" counts={current.progress.skipped} />
          <Breakdown title="Left out before sending" counts={current.excluded} />
        </section>

        <section className="panel" aria-labelledby="rate-heading">
          <h2 className="panel__title" id="rate-heading">
            Messages per second
          </h2>
          <TimeSeriesChart points={data.series} title="Messages per second" />
        </section>

        <section className="panel" aria-labelledby="report-heading">
          <h2 className="panel__title" id="report-heading">
            Report
          </h2>
          <Report job={current} />
        </section>

        <Recipients job={current} />

        <section className="panel" aria-labelledby="about-heading">
          <h2 className="panel__title" id="about-heading">
            About this job
          </h2>
          <dl className="details">
            <div className="details__row">
              <dt>Channel</dt>
              <dd className="inline-icon">
                {isMessageChannel(current.channel) ? <ChannelIcon channel={current.channel} decorative /> : null}
                {channelLabel(current.channel)}
              </dd>
            </div>
            <div className="details__row">
              <dt>From</dt>
              <dd>{senderName(senders.data, current.sender)}</dd>
            </div>
            {content ? (
              <div className="details__row">
                <dt>Message</dt>
                <dd className="job-content">{content}</dd>
              </div>
            ) : null}
            <div className="details__row">
              <dt>Created</dt>
              <dd>
                <time dateTime={current.createdAt}>{formatDateTime(current.createdAt)}</time>
              {current.createdBy === me.userId ? ' by you' : ` by user ${current.createdBy}`}
              </dd>
            </div>
          </dl>
        </section>
      </div>
    </>
  );
}
