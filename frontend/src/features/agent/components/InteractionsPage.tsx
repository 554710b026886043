// The Admins' review of the assistant (`reviewAi`): over the last 30 days, how many drafts were
// approved (as they were, or edited) of those decided, and how many of the approved ones needed an
// edit, as figures; the drafts decided and the thumbs up and down per day, as charts; then every
// interaction — questions asked and drafts made — newest first, a page at a time, filtered by kind
// (kept in the address), with its status, sources, feedback and how long it took.
import { useSearchParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { StackedBarChart, type StackSeries } from '@/components/charts/StackedBarChart';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import { ThumbIcon } from '@/components/ThumbIcon';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan, useCurrentUser } from '@/lib/authorization';
import { formatDateTime, formatWhen } from '@/utils/format';
import { useInteractions } from '../api/get-interactions';
import { useAiStats } from '../api/get-stats';
import { interactionKinds, STATS_DAYS, type Interaction, type InteractionKind, type Stats } from '../api/interaction';
import { AgentTabs } from './AgentTabs';
import {
  decisionColumns,
  DRAFT_STATUS_LABEL,
  feedbackColumns,
  feedbackLabel,
  formatLatency,
  formatRate,
  KIND_LABEL,
  shorten,
} from './agent-text';
import './agent.css';

const DECISION_SERIES: StackSeries[] = [
  { key: 'approved', label: 'Approved', color: 'var(--chart-sent)' },
  { key: 'edited', label: 'Edited', color: 'var(--chart-4)' },
  { key: 'rejected', label: 'Rejected', color: 'var(--chart-failed)' },
];

const FEEDBACK_SERIES: StackSeries[] = [
  { key: 'up', label: 'Helpful', color: 'var(--chart-6)' },
  { key: 'down', label: 'Not helpful', color: 'var(--chart-5)' },
];

const numbers = new Intl.NumberFormat();

function Rate({ label, rate, explained, none }: { label: string; rate: number | null; explained: string; none: string }) {
  const text = formatRate(rate);
  return (
    <div className="agent-figures__item">
      <dt>{label}</dt>
      <dd>
        <span className="agent-figures__value">{text ?? '—'}</span>
        <span className="agent-figures__hint">{text === null ? none : explained}</span>
      </dd>
    </div>
  );
}

function Figures({ stats }: { stats: Stats }) {
  const { totals } = stats;
  const decided = totals.approved + totals.edited + totals.rejected;
  return (
    <dl className="agent-figures">
      <Rate
        label="Approval rate"
        rate={totals.approvalRate}
        explained={`approved or edited, of ${numbers.format(decided)} decided drafts`}
        none="no draft decided yet"
      />
      <Rate
        label="Edit rate"
        rate={totals.editRate}
        explained={`edited before sending, of ${numbers.format(totals.approved + totals.edited)} approved drafts`}
        none="no draft approved yet"
      />
      <div className="agent-figures__item">
        <dt>Drafts</dt>
        <dd>
          <span className="agent-figures__value">{numbers.format(totals.suggested)}</span>
          <span className="agent-figures__hint">{numbers.format(totals.rejected)} rejected</span>
        </dd>
      </div>
      <div className="agent-figures__item">
        <dt>Questions asked</dt>
        <dd>
          <span className="agent-figures__value">{numbers.format(totals.queries)}</span>
        </dd>
      </div>
      <div className="agent-figures__item">
        <dt>Feedback</dt>
        <dd>
          <span className="agent-figures__value">
            <ThumbIcon direction="up" className="agent-figures__thumb" /> {numbers.format(totals.up)}{' '}
            <ThumbIcon direction="down" className="agent-figures__thumb" /> {numbers.format(totals.down)}
          </span>
          <span className="agent-figures__hint">
            {numbers.format(totals.up)} helpful, {numbers.format(totals.down)} not helpful
          </span>
        </dd>
      </div>
    </dl>
  );
}

function StatsSection() {
  const stats = useAiStats(STATS_DAYS);
  const body = () => {
    if (stats.isPending) {
      return (
        <div className="agent-skeleton" aria-hidden="true">
          <Skeleton height="5rem" />
          <Skeleton height="12rem" />
        </div>
      );
    }
    if (stats.isError) {
      return (
        <Alert title="The figures could not be loaded.">
          <p>{describeError(stats.error)}</p>
          <Button variant="secondary" onClick={() => void stats.refetch()} busy={stats.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    const { days } = stats.data;
    return (
      <>
        <Figures stats={stats.data} />
        <div className="agent-charts">
          <figure className="agent-chart">
            <figcaption className="agent-chart__title">Drafts decided per day</figcaption>
            <StackedBarChart columns={decisionColumns(days)} series={DECISION_SERIES} title={`Drafts decided per day, last ${STATS_DAYS} days`} unit="drafts" />
          </figure>
          <figure className="agent-chart">
            <figcaption className="agent-chart__title">Feedback per day</figcaption>
            <StackedBarChart columns={feedbackColumns(days)} series={FEEDBACK_SERIES} title={`Feedback per day, last ${STATS_DAYS} days`} unit="ratings" />
          </figure>
        </div>
      </>
    );
  };
  return (
    <section className="agent-section" aria-labelledby="agent-stats-title">
      <h2 id="agent-stats-title" className="agent-section__title">
        Last {STATS_DAYS} days
      </h2>
      {body()}
    </section>
  );
}

function who(by: string | null, userId: string): string {
  if (by === null) return 'Automation';
  return by === userId ? 'You' : by;
}

function Row({ item, userId }: { item: Interaction; userId: string }) {
  const feedback = feedbackLabel(item.feedback);
  return (
    <tr>
      <td className="agent-table__when">
        <time dateTime={item.at} title={formatDateTime(item.at)}>
          {formatWhen(item.at)}
        </time>
      </td>
      <td>{KIND_LABEL[item.kind]}</td>
      <td className="agent-table__text">
        {item.question ? <p className="agent-table__question">{shorten(item.question, 120)}</p> : null}
        <p className="agent-table__answer">{shorten(item.answer)}</p>
      </td>
      <td>{item.status ? DRAFT_STATUS_LABEL[item.status] : item.kind === 'query' ? 'Answered' : '—'}</td>
      <td className="agent-table__number">{numbers.format(item.sourceCount)}</td>
      <td>
        {feedback ? (
          <>
            <ThumbIcon direction={item.feedback?.rating === 'down' ? 'down' : 'up'} className="agent-table__thumb" /> {feedback}
            {item.feedback?.comment ? <span className="agent-table__comment">“{shorten(item.feedback.comment, 100)}”</span> : null}
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="agent-table__number">{formatLatency(item.latencyMs)}</td>
      <td className="agent-table__who">{who(item.by, userId)}</td>
    </tr>
  );
}

type KindFilter = 'all' | InteractionKind;

function kindOf(value: string | null): InteractionKind | null {
  return (interactionKinds as readonly string[]).includes(value ?? '') ? (value as InteractionKind) : null;
}

function InteractionsTable() {
  const { userId } = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const kind = kindOf(params.get('kind'));
  const interactions = useInteractions(kind);
  const items = interactions.data?.pages.flatMap((page) => page.items);
  const what = kind === 'query' ? 'questions' : kind === 'suggestion' ? 'drafts' : 'interactions';

  const body = () => {
    if (interactions.isPending) {
      return (
        <div className="agent-skeleton" aria-hidden="true">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height="2.2rem" />
          ))}
        </div>
      );
    }
    if (interactions.isError && !items) {
      return (
        <Alert title="The interactions could not be loaded.">
          <p>{describeError(interactions.error)}</p>
          <Button variant="secondary" onClick={() => void interactions.refetch()} busy={interactions.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (!items || items.length === 0) {
      return <p className="muted agent-empty">No {what} yet.</p>;
    }
    return (
      <>
        <div className="table-scroll" role="region" aria-label={`AI ${what}, scrollable`} tabIndex={0}>
          <table className="table agent-table" aria-label={`AI ${what}, newest first`}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">Question and answer, or draft</th>
                <th scope="col">Status</th>
                <th scope="col">Sources</th>
                <th scope="col">Feedback</th>
                <th scope="col">Took</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <Row key={item.id} item={item} userId={userId} />
              ))}
            </tbody>
          </table>
        </div>
        {interactions.hasNextPage ? (
          <div className="load-more">
            <Button variant="secondary" onClick={() => void interactions.fetchNextPage()} busy={interactions.isFetchingNextPage}>
              {interactions.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : (
          <p className="muted agent-end">That is every {kind === 'query' ? 'question' : kind === 'suggestion' ? 'draft' : 'interaction'} recorded.</p>
        )}
        {interactions.isError ? <Alert>{describeError(interactions.error)} Try “Load more” again in a moment.</Alert> : null}
      </>
    );
  };

  return (
    <section className="agent-section" aria-labelledby="agent-interactions-title">
      <h2 id="agent-interactions-title" className="agent-section__title">
        Interactions
      </h2>
      <ChoiceGroup<KindFilter>
        legend="Show"
        name="kind"
        value={kind ?? 'all'}
        onChange={(value) => setParams(value === 'all' ? {} : { kind: value }, { replace: true })}
        choices={[
          { value: 'all', label: 'All' },
          { value: 'query', label: 'Questions' },
          { value: 'suggestion', label: 'Drafts' },
        ]}
      />
      {body()}
    </section>
  );
}

export function InteractionsPage() {
  usePageTitle('AI interactions');
  const allowed = useCan('reviewAi');
  if (!allowed) return <NoAccess what="review the assistant’s interactions" />;
  return (
    <>
      <PageHeader title="Agent">
        <p className="muted">How the assistant is doing: what was asked, what it drafted, and what your team made of it.</p>
      </PageHeader>
      <AgentTabs />
      <StatsSection />
      <InteractionsTable />
    </>
  );
}
