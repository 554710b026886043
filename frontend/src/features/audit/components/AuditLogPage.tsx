// The audit log (Admins): who did what, to which contact, job, user or template, when and from
// where, newest first — 25 a page with "Load more" — searchable by person, action, item, outcome
// and days (kept in the address, so a search can be shared and Back undoes it). Each entry opens
// in full, with the values it changed side by side.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';
import { NO_FILTERS, type AuditEntry, type AuditFilters } from '../api/audit-entry';
import { useAuditSearch } from '../api/get-audit';
import { AuditEntryDialog } from './AuditEntryDialog';
import { AuditFilterForm } from './AuditFilterForm';
import { actionLabel, actorLabel, describeFilters, outcomeView, resourceLabel, resourceLink } from './audit-text';
import './audit-log.css';

const FIELDS = Object.keys(NO_FILTERS) as (keyof AuditFilters)[];

function filtersOf(params: URLSearchParams): AuditFilters {
  return Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as unknown as AuditFilters;
}

function paramsOf(filters: AuditFilters): Record<string, string> {
  return Object.fromEntries(FIELDS.filter((f) => filters[f].trim() !== '').map((f) => [f, filters[f].trim()]));
}

function Row({ entry, onOpen }: { entry: AuditEntry; onOpen: (entry: AuditEntry) => void }) {
  const outcome = outcomeView(entry.outcome);
  const link = resourceLink(entry);
  return (
    <tr>
      <td className="audit-table__when">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </td>
      <td className="audit-table__who">
        {actorLabel(entry)}
        <span className="muted audit-table__role">{entry.actorRole}</span>
      </td>
      <td>{actionLabel(entry.action)}</td>
      <td className="audit-table__on">{link ? <Link to={link}>{resourceLabel(entry)}</Link> : resourceLabel(entry)}</td>
      <td>
        <span className={`status-badge status-badge--${outcome.tone}`}>{outcome.label}</span>
      </td>
      <td>
        <Button variant="secondary" onClick={() => onOpen(entry)} aria-label={`Details of “${actionLabel(entry.action)}” at ${formatDateTime(entry.at)}`}>
          Details
        </Button>
      </td>
    </tr>
  );
}

function TableSkeleton() {
  return (
    <div aria-hidden="true" className="audit-skeleton">
      {[0, 1, 2, 3, 4, 5].map((i) => (
        <Skeleton key={i} height="2.2rem" />
      ))}
    </div>
  );
}

export function AuditLogPage() {
  usePageTitle('Audit log');
  const allowed = useCan('readAudit');
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const search = useAuditSearch(filters, allowed);
  const items = search.data?.pages.flatMap((p) => p.items);

  if (!allowed) return <NoAccess what="read the audit log" />;

  const apply = (next: AuditFilters) => setParams(paramsOf(next));
  const narrowTo = (next: Partial<AuditFilters>) => {
    setOpen(null);
    apply({ ...NO_FILTERS, ...next });
  };
  const searched = describeFilters(filters);

  const body = () => {
    if (search.isPending) return <TableSkeleton />;
    if (search.isError && !items) {
      return (
        <Alert title="The audit log could not be loaded.">
          <p>{describeError(search.error)}</p>
          <Button variant="secondary" onClick={() => void search.refetch()}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (!items || items.length === 0) {
      return (
        <div className="empty">
          <p>{searched ? `Nothing recorded ${searched} so far.` : 'Nothing recorded yet.'}</p>
          {search.hasNextPage ? (
            <>
              <p className="muted">The most recent days have no entries for this search; older ones are still to look through.</p>
              <Button variant="secondary" onClick={() => void search.fetchNextPage()} busy={search.isFetchingNextPage}>
                {search.isFetchingNextPage ? 'Searching…' : 'Search older days'}
              </Button>
            </>
          ) : searched ? (
            <p className="muted">Entries are kept 180 days. Try fewer filters or a wider range of days.</p>
          ) : null}
        </div>
      );
    }
    return (
      <>
        <div className="table-scroll">
          <table className="table audit-table" aria-label={searched ? `Audit entries ${searched}, newest first` : 'Audit entries, newest first'}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">On</th>
                <th scope="col">Outcome</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <Row key={entry.auditId} entry={entry} onOpen={setOpen} />
              ))}
            </tbody>
          </table>
        </div>
        {search.hasNextPage ? (
          <div className="load-more">
            <Button variant="secondary" onClick={() => void search.fetchNextPage()} busy={search.isFetchingNextPage}>
              {search.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : (
          <p className="muted audit-end">That is everything recorded{searched ? ` ${searched}` : ''} in the last 180 days.</p>
        )}
        {search.isError ? <Alert>{describeError(search.error)} Try “Load more” again in a moment.</Alert> : null}
      </>
    );
  };

  return (
    <>
      <PageHeader title="Audit log">
        <p className="muted">Every change, sign-in and refused attempt in your organisation, kept for 180 days.</p>
      </PageHeader>
      <AuditFilterForm value={filters} onApply={apply} />
      {body()}
      <AuditEntryDialog
        entry={open}
        onClose={() => setOpen(null)}
        onActor={(e) => narrowTo({ actor: e.actorId })}
        onResource={(e) => narrowTo({ resourceType: e.resourceType, resourceId: e.resourceId })}
      />
    </>
  );
}
