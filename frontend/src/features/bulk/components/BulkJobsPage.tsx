// The bulk jobs, newest first: status, progress and when each started; a status filter kept in
// the address; "Load more" for older ones. Refreshed every few seconds while a job is moving.
import { useSearchParams, Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button, ButtonLink } from '@/components/Button';
import { ChannelIcon } from '@/components/ChannelIcon';
import { PageHeader } from '@/components/PageHeader';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { useFlashNotice } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';
import type { Job } from '../api/bulk-job';
import { useJobs } from '../api/get-jobs';
import { channelLabel, formatCount, isMessageChannel, jobTitle, statusView, STATUS_FILTERS } from './bulk-text';
import { JobProgressBar } from './JobProgressBar';
import { JobStatusBadge } from './JobStatusBadge';
import { outcomeCounts, settledCount } from './progress';

function JobRow({ job }: { job: Job }) {
  const counts = outcomeCounts(job.progress);
  const title = jobTitle(job);
  return (
    <li>
      <Link className="job-row" to={`/bulk/${encodeURIComponent(job.jobId)}`}>
        <span className="job-row__main">
          <span className="job-row__top">
            {isMessageChannel(job.channel) ? <ChannelIcon channel={job.channel} /> : <span>{channelLabel(job.channel)}</span>}
            <span className="job-row__name">{title}</span>
          </span>
          <span className="job-row__details">
            {formatCount(settledCount(job.progress))} of {formatCount(job.progress.total)} settled · {formatCount(counts.sent)} sent
            {counts.failed ? ` · ${formatCount(counts.failed)} failed` : ''}
            {counts.unknown ? ` · ${formatCount(counts.unknown)} unknown` : ''} ·{' '}
            <time dateTime={job.createdAt}>{formatDateTime(job.createdAt)}</time>
          </span>
          <JobProgressBar progress={job.progress} label={`Progress of ${title}`} compact />
        </span>
        <span className="job-row__status">
          <JobStatusBadge status={job.status} />
          {job.stalled ? <span className="status-badge status-badge--danger">Stalled</span> : null}
        </span>
      </Link>
    </li>
  );
}

function ListSkeleton() {
  return (
    <ul className="job-list" aria-hidden="true">
      {[0, 1, 2, 3, 4].map((i) => (
        <li key={i} className="job-row job-row--skeleton">
          <span className="job-row__main">
            <Skeleton width={`${45 + ((i * 17) % 30)}%`} height="1.1em" />
            <Skeleton width="60%" height="0.9em" />
            <Skeleton height="0.5rem" />
          </span>
        </li>
      ))}
    </ul>
  );
}

export function BulkJobsPage() {
  usePageTitle('Bulk messaging');
  const canManage = useCan('manageBulk');
  const notice = useFlashNotice();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const jobs = useJobs(status);
  const items = jobs.data?.pages.flatMap((page) => page.items);
  const statusName = status ? statusView(status).label.toLowerCase() : '';

  const body = () => {
    if (jobs.isPending) return <ListSkeleton />;
    if (jobs.isError && !items) {
      return (
        <Alert title="The bulk jobs could not be loaded.">
          <p>{describeError(jobs.error)}</p>
          <Button variant="secondary" onClick={() => void jobs.refetch()}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (!items || items.length === 0) {
      return (
        <div className="empty">
          <p>{status ? `No ${statusName} jobs.` : 'No bulk jobs yet.'}</p>
          {!status && canManage ? <p className="muted">Start one with “New bulk job”.</p> : null}
          {status ? (
            <p>
              <Link to="/bulk">Show all jobs</Link>
            </p>
          ) : null}
        </div>
      );
    }
    return (
      <>
        <ul className="job-list" aria-label={status ? `Bulk jobs ${statusName}, newest first` : 'Bulk jobs, newest first'}>
          {items.map((job) => (
            <JobRow key={job.jobId} job={job} />
          ))}
        </ul>
        {jobs.hasNextPage ? (
          <div className="load-more">
            <Button variant="secondary" onClick={() => void jobs.fetchNextPage()} busy={jobs.isFetchingNextPage}>
              {jobs.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : null}
        {jobs.isError ? <Alert>{describeError(jobs.error)} The list may be out of date; it is retried automatically.</Alert> : null}
      </>
    );
  };

  return (
    <>
      <PageHeader title="Bulk messaging" actions={canManage ? <ButtonLink to="/bulk/new">New bulk job</ButtonLink> : null}>
        <SelectField
          label="Status"
          className="job-filter"
          value={status}
          options={STATUS_FILTERS}
          onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}
        />
      </PageHeader>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {body()}
    </>
  );
}
