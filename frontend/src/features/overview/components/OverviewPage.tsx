// The console's home for Operators and Admins (Viewers may open it too): today's messages at a
// glance, messages per hour today and per day for the week as charts (one channel or all, kept in
// the address), delivery and read rates per channel, the WhatsApp tier's use, the dead-letter
// queues waiting (Admins, linking to Failed messages) and the running bulk jobs' progress.
// Refreshed every minute.
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { DonutChart } from '@/components/charts/DonutChart';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { formatTime } from '@/utils/format';
import { OVERVIEW_CHANNELS, useOverview, type ChannelSummary, type Overview, type QueueDepth, type RunningJob, type Tier } from '../api/get-overview';
import { LineChart } from './LineChart';
import {
  CHANNEL_LABEL,
  channelLabel,
  dailyPoints,
  filterLabel,
  formatCount,
  hourlyPoints,
  isChannelFilter,
  percent,
  progressParts,
  progressSentence,
  QUEUE_LABEL,
  seriesFor,
  settledOf,
  todayCounts,
  type ChannelFilter,
} from './overview-text';
import './overview.css';

const FILTERS = [
  { value: 'all' as const, label: 'All channels' },
  ...OVERVIEW_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABEL[c] })),
];

function OverviewSkeleton() {
  return (
    <div className="overview-skeleton" aria-hidden="true">
      <Skeleton height="5rem" />
      <Skeleton height="16rem" />
      <Skeleton height="16rem" />
    </div>
  );
}

function Today({ overview, filter }: { overview: Overview; filter: ChannelFilter }) {
  const today = todayCounts(overview, filter);
  const shown = [
    ['Sent', today.sent],
    ['Delivered', today.delivered],
    ['Read', today.read],
    ['Failed', today.failed],
    ['Received', today.received],
  ] as const;
  return (
    <section className="overview-section" aria-labelledby="overview-today">
      <h2 id="overview-today" className="overview-section__title">
        Today, {filterLabel(filter)}
      </h2>
      <dl className="overview-stats">
        {shown.map(([label, n]) => (
          <div key={label} className="overview-stats__item">
            <dt>{label}</dt>
            <dd>{formatCount(n)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The steps between labelled points of each chart's x axis. */
const HOUR_STEPS = [1, 2, 3, 4, 6, 12];
const DAY_STEPS = [1, 2, 3, 7];

function Charts({ overview, filter }: { overview: Overview; filter: ChannelFilter }) {
  const hours = useMemo(() => hourlyPoints(overview, filter), [overview, filter]);
  const days = useMemo(() => dailyPoints(overview, filter), [overview, filter]);
  const hourSeries = useMemo(() => seriesFor(hours.map((p) => p.counts)), [hours]);
  const daySeries = useMemo(() => seriesFor(days.map((p) => p.counts)), [days]);
  const which = filterLabel(filter);
  return (
    <div className="overview-charts">
      {hours.length > 0 ? (
        <LineChart title={`Messages per hour today, ${which}`} points={hours} series={hourSeries} period="Hour" incrs={HOUR_STEPS} labelSpace={64} />
      ) : (
        <p className="muted">Today’s first hour has not started yet.</p>
      )}
      <LineChart title={`Messages per day, last 7 days, ${which}`} points={days} series={daySeries} period="Day" incrs={DAY_STEPS} labelSpace={76} />
    </div>
  );
}

function RateBar({ label, rate }: { label: string; rate: number | null }) {
  const text = percent(rate);
  return (
    <div className="rate">
      <span className="rate__label">{label}</span>
      {text === null ? (
        <span className="muted rate__none">Not known yet</span>
      ) : (
        <>
          <span className="rate__bar" aria-hidden="true">
            <span style={{ width: `${Math.round((rate ?? 0) * 100)}%` }} />
          </span>
          <strong className="rate__value">{text}</strong>
        </>
      )}
    </div>
  );
}

function Rates({ channels }: { channels: ChannelSummary[] }) {
  return (
    <section className="overview-section panel" aria-labelledby="overview-rates">
      <h2 id="overview-rates" className="overview-section__title">
        Delivery and read rates, last 7 days
      </h2>
      <ul className="overview-rates">
        {channels.map((c) => {
          const name = channelLabel(c.channel);
          return (
            <li key={c.channel} className="overview-rates__channel">
              <h3 className="overview-rates__name">{name}</h3>
              {c.reportsStatuses ? (
                <>
                  <RateBar label="Delivered, of sent" rate={c.deliveryRate} />
                  <RateBar label="Read, of delivered" rate={c.readRate} />
                </>
              ) : (
                <p className="muted">
                  {name} delivery statuses do not reach the platform, so its rates are not known. {formatCount(c.totals.sent)} sent,{' '}
                  {formatCount(c.totals.failed)} failed.
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function TierGauge({ tier }: { tier: Tier }) {
  const left = Math.max(0, tier.limit - tier.used);
  const warning = tier.used >= tier.warnAt;
  const sentence = `${formatCount(tier.used)} of ${formatCount(tier.limit)} business-initiated conversations used in the last 24 hours (${formatCount(left)} left)`;
  return (
    <li className="overview-tier">
      <DonutChart
        size={120}
        label={sentence}
        parts={[
          { key: 'used', label: 'Used', value: tier.used, color: warning ? 'var(--chart-failed)' : 'var(--chart-4)' },
          { key: 'left', label: 'Left', value: left, color: 'var(--chart-empty)' },
        ]}
        center={
          <>
            <strong>{formatCount(tier.used)}</strong>
            <span>of {formatCount(tier.limit)}</span>
          </>
        }
      />
      <div>
        <p className="overview-tier__numbers">{tier.numbers.join(', ')}</p>
        <p>{sentence}.</p>
        {warning ? (
          <Alert>
            Past {formatCount(tier.warnAt)}: business-initiated sends are refused at {formatCount(tier.limit)}. Keep campaigns small until older
            conversations leave the 24-hour window.
          </Alert>
        ) : (
          <p className="muted">A warning goes out at {formatCount(tier.warnAt)}.</p>
        )}
      </div>
    </li>
  );
}

function Tiers({ tiers }: { tiers: Tier[] }) {
  return (
    <section className="overview-section panel" aria-labelledby="overview-tier">
      <h2 id="overview-tier" className="overview-section__title">
        WhatsApp messaging tier
      </h2>
      {tiers.length === 0 ? (
        <p className="muted">No WhatsApp number is set up for your organisation.</p>
      ) : (
        <ul className="overview-tiers">
          {tiers.map((t) => (
            <TierGauge key={t.wabaId} tier={t} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Queues({ queues }: { queues: QueueDepth[] }) {
  return (
    <section className="overview-section panel" aria-labelledby="overview-queues">
      <h2 id="overview-queues" className="overview-section__title">
        Failed messages waiting
      </h2>
      <ul className="overview-queues">
        {queues.map((q) => (
          <li key={q.queue}>
            <Link to={`/failed-messages?queue=${encodeURIComponent(q.queue)}`}>
              {QUEUE_LABEL[q.queue] ?? q.queue} <span className="muted">({q.queue})</span>
            </Link>
            <strong className="overview-queues__depth">
              {q.depth === null ? 'not known: the queue did not answer' : `${formatCount(q.depth)} waiting`}
            </strong>
          </li>
        ))}
      </ul>
      <p className="muted">The queues count every organisation’s messages; Failed messages shows yours and replays them.</p>
    </section>
  );
}

function JobRow({ job }: { job: RunningJob }) {
  const title = job.name ?? `${channelLabel(job.channel)} job`;
  return (
    <li className="overview-job">
      <Link to={`/bulk/${encodeURIComponent(job.jobId)}`} className="overview-job__name">
        {title}
      </Link>
      <div
        className="progress-bar progress-bar--compact"
        role="progressbar"
        aria-label={`Progress of ${title}`}
        aria-valuemin={0}
        aria-valuemax={Math.max(1, job.progress.total)}
        aria-valuenow={settledOf(job.progress)}
        aria-valuetext={progressSentence(job.progress)}
      >
        {progressParts(job.progress).map((part) => (
          <span key={part.key} className={`progress-bar__segment progress-bar__segment--${part.key}`} style={{ width: `${part.width}%` }} />
        ))}
      </div>
      <span className="muted">
        {progressSentence(job.progress)}
        {job.stalled ? ' · stalled: open the job to see why' : ''}
      </span>
    </li>
  );
}

function Jobs({ jobs }: { jobs: RunningJob[] }) {
  return (
    <section className="overview-section panel" aria-labelledby="overview-jobs">
      <h2 id="overview-jobs" className="overview-section__title">
        Bulk jobs sending now
      </h2>
      {jobs.length === 0 ? (
        <p className="muted">
          No bulk job is sending right now. <Link to="/bulk">See all bulk jobs</Link>
        </p>
      ) : (
        <ul className="overview-jobs">
          {jobs.map((j) => (
            <JobRow key={j.jobId} job={j} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function OverviewPage() {
  usePageTitle('Overview');
  const overview = useOverview();
  const [params, setParams] = useSearchParams();
  const raw = params.get('channel');
  const filter: ChannelFilter = isChannelFilter(raw) ? raw : 'all';
  const data = overview.data;

  const body = () => {
    if (overview.isPending) return <OverviewSkeleton />;
    if (!data) {
      return (
        <Alert title="The overview could not be loaded.">
          <p>{describeError(overview.error)}</p>
          <Button variant="secondary" onClick={() => void overview.refetch()} busy={overview.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    return (
      <>
        {overview.isError ? <Alert>{describeError(overview.error)} These numbers may be out of date; they are read again every minute.</Alert> : null}
        <ChoiceGroup
          legend="Channel"
          name="overview-channel"
          choices={FILTERS}
          value={filter}
          onChange={(value) => setParams(value === 'all' ? {} : { channel: value }, { replace: true })}
        />
        <Today overview={data} filter={filter} />
        <Charts overview={data} filter={filter} />
        <div className="overview-grid">
          <Rates channels={data.messages.channels} />
          <Tiers tiers={data.tier} />
          {data.deadLetterQueues ? <Queues queues={data.deadLetterQueues} /> : null}
          <Jobs jobs={data.runningJobs} />
        </div>
      </>
    );
  };

  return (
    <>
      <PageHeader
        title="Overview"
        actions={
          <Button variant="secondary" onClick={() => void overview.refetch()} busy={overview.isFetching} disabled={overview.isPending}>
            {overview.isFetching && !overview.isPending ? 'Refreshing…' : 'Refresh'}
          </Button>
        }
      >
        {data ? (
          <p className="muted">
            As of <time dateTime={data.generatedAt}>{formatTime(data.generatedAt)}</time>; read again every minute.
          </p>
        ) : null}
      </PageHeader>
      {body()}
    </>
  );
}
