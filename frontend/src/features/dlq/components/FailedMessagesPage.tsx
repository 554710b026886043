// Failed messages (Admins): the tenant's messages in each dead-letter queue — a link per queue
// with how many of them wait there — as a table 25 a page: what each is about (sender and text,
// job and chunk, contact and channel, with a link), when it first failed, its error, its replay
// attempts and where it stands. Some or all can be replayed, after a confirmation; the answer's
// outcome of each message is listed, with what to do next. The queue and page live in the address.
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { paginate, Pager } from '@/components/Pager';
import { Skeleton } from '@/components/Skeleton';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';
import { DLQ_QUEUES, isDlqQueue, MAX_ATTEMPTS, MAX_REPLAY, type DeadLetter, type DlqQueue, type Listing } from '../api/dead-letter';
import { useAllDeadLetters } from '../api/get-dead-letters';
import { useReplay, type ReplaySelection } from '../api/replay';
import {
  depthLabel,
  isReplayable,
  outcomeSummary,
  outcomeView,
  QUEUE_VIEW,
  stateView,
  summaryView,
  type SummaryView,
} from './dlq-text';
import './failed-messages.css';

/** Messages per page of the table. */
export const PAGE_SIZE = 25;

export function FailedMessagesPage() {
  usePageTitle('Failed messages');
  const allowed = useCan('manageDlq');
  if (!allowed) return <NoAccess what="see or replay failed messages" />;
  return <FailedMessages />;
}

function FailedMessages() {
  const [params] = useSearchParams();
  const raw = params.get('queue');
  const queue: DlqQueue = isDlqQueue(raw) ? raw : 'inbound-dlq';
  const listings = useAllDeadLetters();
  return (
    <>
      <PageHeader title="Failed messages" />
      <nav className="queue-tabs" aria-label="Dead-letter queues">
        {DLQ_QUEUES.map((q, i) => {
          const listing = listings[i];
          const data = listing?.data;
          return (
            <Link
              key={q}
              className="queue-tabs__tab"
              to={{ search: `?queue=${q}` }}
              aria-current={q === queue ? 'page' : undefined}
              replace
            >
              <span className="queue-tabs__label">{QUEUE_VIEW[q].label}</span>
              <span className="queue-tabs__name">{q}</span>
              <span className="queue-tabs__count">
                {data ? (
                  <>
                    {depthLabel(data.items.length, data.complete)}
                    <span className="visually-hidden"> {data.items.length === 1 && data.complete ? 'message' : 'messages'}</span>
                  </>
                ) : listing?.isError ? (
                  <>
                    ?<span className="visually-hidden"> (not loaded)</span>
                  </>
                ) : (
                  <>
                    …<span className="visually-hidden"> (loading)</span>
                  </>
                )}
              </span>
            </Link>
          );
        })}
      </nav>
      {/* A queue of its own: switching queues starts with nothing selected and no old results. */}
      <QueuePanel key={queue} queue={queue} listing={listings[DLQ_QUEUES.indexOf(queue)]} />
    </>
  );
}

interface ListingState {
  data?: Listing | undefined;
  error: unknown;
  isPending: boolean;
  isError: boolean;
  isFetching: boolean;
  refetch: () => Promise<unknown>;
}

function TableSkeleton() {
  return (
    <div aria-hidden="true" className="dlq-skeleton">
      {[0, 1, 2, 3].map((i) => (
        <Skeleton key={i} height="3rem" />
      ))}
    </div>
  );
}

function Summary({ view }: { view: SummaryView }) {
  return (
    <>
      <span className="dlq-table__title">{view.title}</span>
      {view.details.map((d) => (
        <span key={d} className="dlq-table__detail">
          {d}
        </span>
      ))}
      {view.how ? <span className="dlq-table__detail muted">{view.how}</span> : null}
      {view.link ? (
        <Link className="dlq-table__link" to={view.link.to}>
          {view.link.label}
        </Link>
      ) : null}
    </>
  );
}

function Row({
  queue,
  letter,
  selected,
  selectable,
  onSelect,
}: {
  queue: DlqQueue;
  letter: DeadLetter;
  selected: boolean;
  selectable: boolean;
  onSelect: (on: boolean) => void;
}) {
  const view = summaryView(queue, letter);
  const state = stateView(letter);
  return (
    <tr>
      <td>
        {isReplayable(letter) ? (
          <input
            type="checkbox"
            className="dlq-table__check"
            aria-label={`Select: ${view.title}`}
            checked={selected}
            disabled={!selected && !selectable}
            onChange={(e) => onSelect(e.target.checked)}
          />
        ) : null}
      </td>
      <th scope="row">
        <Summary view={view} />
      </th>
      <td>{letter.firstFailedAt ? <time dateTime={letter.firstFailedAt}>{formatDateTime(letter.firstFailedAt)}</time> : <span className="muted">Not known</span>}</td>
      <td className="dlq-table__error">{letter.error ?? <span className="muted">None recorded</span>}</td>
      <td>
        {letter.attempts} of {MAX_ATTEMPTS}
        {letter.copies > 1 ? <span className="dlq-table__detail muted">{letter.copies} copies in the queue</span> : null}
      </td>
      <td>
        <span className={`status-badge status-badge--${state.tone}`}>{state.label}</span>
        {state.note ? <span className="dlq-table__detail">{state.note}</span> : null}
      </td>
    </tr>
  );
}

function QueuePanel({ queue, listing }: { queue: DlqQueue; listing: ListingState | undefined }) {
  const [params, setParams] = useSearchParams();
  const page = Number(params.get('page') ?? '1');
  const replay = useReplay(queue);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [asking, setAsking] = useState<'selected' | 'all' | null>(null);
  // What each message was about when the replay was asked: replayed ones leave the list.
  const [asked, setAsked] = useState<ReadonlyMap<string, SummaryView>>(new Map());
  const resultsRef = useRef<HTMLElement>(null);
  const resultsTitle = useId();
  const view = QUEUE_VIEW[queue];

  useEffect(() => {
    if (replay.isSuccess) resultsRef.current?.focus();
  }, [replay.isSuccess]);

  const items = listing?.data?.items ?? [];
  const shown = paginate(items, page, PAGE_SIZE);
  const replayable = items.filter(isReplayable);
  // Only what is still in the list may stay selected (a refresh may have taken some away).
  const chosen = items.filter((l) => selected.has(l.messageId) && isReplayable(l)).map((l) => l.messageId);
  const full = chosen.length >= MAX_REPLAY;
  const pageReplayable = shown.items.filter(isReplayable);
  const allOnPage = pageReplayable.length > 0 && pageReplayable.every((l) => selected.has(l.messageId));

  const select = (ids: string[], on: boolean) => {
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (!on) next.delete(id);
        else if (next.size < MAX_REPLAY) next.add(id);
      }
      return next;
    });
  };

  const ask = (what: 'selected' | 'all') => {
    replay.reset();
    setAsking(what);
  };

  const confirm = () => {
    if (!asking) return;
    const selection: ReplaySelection = asking === 'all' ? { all: true } : { messageIds: chosen };
    setAsked(new Map(items.map((l) => [l.messageId, summaryView(queue, l)])));
    replay.mutate(selection, {
      onSuccess: () => {
        setAsking(null);
        setSelected(new Set());
      },
    });
  };

  const body = () => {
    if (!listing || listing.isPending) return <TableSkeleton />;
    if (listing.isError && !listing.data) {
      return (
        <Alert title={`The messages of ${queue} could not be loaded.`}>
          <p>{describeError(listing.error)}</p>
          <Button variant="secondary" onClick={() => void listing.refetch()} busy={listing.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (items.length === 0) {
      return (
        <div className="empty">
          <p>No failed messages in {queue}.</p>
          <p className="muted">Nothing of yours is waiting to be replayed here.</p>
        </div>
      );
    }
    return (
      <>
        <p className="list-status" role="status">
          {items.length === 1 ? '1 message' : `${items.length} messages`} in {queue}
          {chosen.length > 0 ? `, ${chosen.length} selected` : ''}.
        </p>
        {listing.data?.complete === false ? (
          <Alert tone="info">
            The queue holds more than one look takes in (100 messages): replay some of these, then refresh, to see the rest.
          </Alert>
        ) : null}
        {full ? <Alert tone="info">{MAX_REPLAY} messages are selected, the most one replay takes. Replay these, then select more.</Alert> : null}
        <div className="table-scroll">
          <table className="table dlq-table">
            <caption className="visually-hidden">
              Failed messages in {queue}
              {shown.pageCount > 1 ? `, page ${shown.page} of ${shown.pageCount}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">
                  {pageReplayable.length > 0 ? (
                    <input
                      type="checkbox"
                      className="dlq-table__check"
                      aria-label="Select every message on this page"
                      checked={allOnPage}
                      onChange={(e) =>
                        select(
                          pageReplayable.map((l) => l.messageId),
                          e.target.checked,
                        )
                      }
                    />
                  ) : (
                    <span className="visually-hidden">Select</span>
                  )}
                </th>
                <th scope="col">Message</th>
                <th scope="col">First failed</th>
                <th scope="col">Error</th>
                <th scope="col">Replays</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {shown.items.map((letter) => (
                <Row
                  key={letter.messageId}
                  queue={queue}
                  letter={letter}
                  selected={selected.has(letter.messageId)}
                  selectable={!full}
                  onSelect={(on) => select([letter.messageId], on)}
                />
              ))}
            </tbody>
          </table>
        </div>
        <Pager
          label={`Pages of ${queue}`}
          page={shown.page}
          pageCount={shown.pageCount}
          total={items.length}
          offset={shown.offset}
          shown={shown.items.length}
          onPage={(p) => setParams(p === 1 ? { queue } : { queue, page: String(p) }, { replace: true })}
        />
        {listing.isError ? <Alert>{describeError(listing.error)} The list may be out of date: refresh it.</Alert> : null}
      </>
    );
  };

  const results = replay.data;
  const failedAny = results?.results.some((r) => outcomeView(r).tone === 'danger') ?? false;

  return (
    <section className="dlq-queue" aria-label={`${view.label} (${queue})`}>
      <p className="dlq-queue__about">{view.description}</p>
      <div className="dlq-actions">
        <Button disabled={chosen.length === 0} onClick={() => ask('selected')}>
          Replay selected{chosen.length > 0 ? ` (${chosen.length})` : ''}
        </Button>
        <Button variant="secondary" disabled={replayable.length === 0} onClick={() => ask('all')}>
          Replay all
        </Button>
        <Button variant="ghost" busy={listing?.isFetching === true} onClick={() => void listing?.refetch()}>
          {listing?.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </div>
      <p className="muted dlq-actions__note">
        One replay takes at most {MAX_REPLAY} messages: “Replay all” replays the first {MAX_REPLAY} of yours in this queue. With more waiting,
        replay again once they are done. Each message is replayed at most {MAX_ATTEMPTS} times; after that it is abandoned and kept here with
        its last error.
      </p>
      {results ? (
        <section className="replay-results" aria-labelledby={resultsTitle} ref={resultsRef} tabIndex={-1}>
          <h2 id={resultsTitle} className="replay-results__title">
            Replay results
          </h2>
          <Alert tone={failedAny ? 'error' : 'success'}>
            {outcomeSummary(results.results)}
            {results.complete ? '' : ' More messages are waiting than one replay takes: replay again to reach them.'}
          </Alert>
          {results.results.length > 0 ? (
            <ul className="replay-results__list" aria-label="Outcome of each message">
              {results.results.map((r) => {
                const outcome = outcomeView(r);
                return (
                  <li key={r.messageId} className="replay-results__item">
                    <span className={`status-badge status-badge--${outcome.tone}`}>{outcome.label}</span>
                    <span className="replay-results__what">{asked.get(r.messageId)?.title ?? r.messageId}</span>
                    <span className="replay-results__sentence">{outcome.sentence}</span>
                  </li>
                );
              })}
            </ul>
          ) : null}
        </section>
      ) : null}
      {body()}
      <ConfirmDialog
        open={asking !== null}
        title={asking === 'all' ? `Replay every message in ${queue}?` : `Replay ${chosen.length === 1 ? '1 message' : `${chosen.length} messages`} from ${queue}?`}
        confirmLabel={asking === 'all' ? 'Replay all' : 'Replay'}
        onConfirm={confirm}
        onCancel={() => setAsking(null)}
        busy={replay.isPending}
        error={
          replay.isError ? (
            <Alert>
              {describeError(replay.error)} Nothing was replayed by this request: check the list, then try again.
            </Alert>
          ) : null
        }
      >
        <p>
          {asking === 'all'
            ? `Up to ${MAX_REPLAY} of your messages in ${queue} are run again by the code that first failed on them.`
            : 'Each is run again by the code that first failed on it.'}{' '}
          One that succeeds leaves the queue; one that fails stays, with its attempt counted (after {MAX_ATTEMPTS} it is abandoned). One
          replayed before is only removed from the queue.
        </p>
      </ConfirmDialog>
    </section>
  );
}
