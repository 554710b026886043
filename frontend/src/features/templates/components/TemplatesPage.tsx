// The WhatsApp templates of a business account: the catalogue as last synced (status badges,
// filters by status and category, a search by name, 25 a page, all kept in the address), when it
// was synced and a Sync button (Operators, Admins), template messages per day by category, and —
// for Admins — new templates, the template library and delete (confirmed first).
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button, ButtonLink } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { PageHeader } from '@/components/PageHeader';
import { paginate, Pager } from '@/components/Pager';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { categoryLabel, templateStatusView, unavailableReason } from '@/components/templates/template-labels';
import { TemplateStatusBadge } from '@/components/templates/TemplateStatusBadge';
import { TextField } from '@/components/TextField';
import { useFlashNotice } from '@/hooks/use-flash-notice';
import { useNow } from '@/hooks/use-now';
import { usePageTitle } from '@/hooks/use-page-title';
import { ApiError, describeError } from '@/lib/api-error';
import { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES, useTemplates, type TemplateEntry } from '@/lib/whatsapp-templates';
import { formatAgo, formatDateTime } from '@/utils/format';
import { useDeleteTemplate } from '../api/delete-template';
import { useSyncTemplates } from '../api/sync-templates';
import { useTemplateAccess, useTemplateSender } from './template-access';
import { UsageChart } from './UsageChart';

/** Templates per page. */
export const PAGE_SIZE = 25;

const STATUS_FILTERS = [
  { value: '', label: 'All statuses' },
  ...TEMPLATE_STATUSES.map((value) => ({ value, label: templateStatusView(value).label })),
];

const CATEGORY_FILTERS = [
  { value: '', label: 'All categories' },
  ...TEMPLATE_CATEGORIES.map((value) => ({ value, label: categoryLabel(value) })),
];

function excerpt(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function SyncLine({ syncedAt, canSync, sender }: { syncedAt: string | null; canSync: boolean; sender: string | undefined }) {
  const now = useNow(30_000);
  const sync = useSyncTemplates(sender);
  return (
    <div className="templates-sync">
      <p>
        {syncedAt ? (
          <>
            Synced with WhatsApp <time dateTime={syncedAt}>{formatAgo(syncedAt, now)}</time>.
          </>
        ) : (
          <>Never synced with WhatsApp{canSync ? ': press Sync to fetch the templates made in WhatsApp Manager.' : '.'}</>
        )}
      </p>
      {canSync ? (
        <Button variant="secondary" busy={sync.isPending} onClick={() => sync.mutate()}>
          {sync.isPending ? 'Syncing…' : 'Sync'}
        </Button>
      ) : null}
      {sync.isSuccess ? (
        <Alert tone="success">
          Synced: {sync.data.count === 1 ? '1 template' : `${sync.data.count} templates`} in the business account.
        </Alert>
      ) : null}
      {sync.isError ? (
        <Alert title="The templates could not be synced.">
          <p>{describeError(sync.error)} The list below is the one from the last sync.</p>
        </Alert>
      ) : null}
    </div>
  );
}

function TemplateRow({ entry, onDelete }: { entry: TemplateEntry; onDelete: (() => void) | null }) {
  const reason = entry.status === 'APPROVED' || entry.status === 'PENDING' ? null : unavailableReason(entry);
  return (
    <tr>
      <th scope="row">
        <span className="templates-table__name">{entry.name}</span>
        <span className="templates-table__body">{excerpt(entry.body)}</span>
      </th>
      <td>{categoryLabel(entry.category)}</td>
      <td>{entry.language}</td>
      <td>
        <TemplateStatusBadge status={entry.status} />
        {reason ? <span className="templates-table__reason">{reason}</span> : null}
      </td>
      <td>
        <time dateTime={entry.updatedAt}>{formatDateTime(entry.updatedAt)}</time>
      </td>
      {onDelete ? (
        <td>
          <Button variant="danger" onClick={onDelete} aria-label={`Delete ${entry.name} (${entry.language})`}>
            Delete
          </Button>
        </td>
      ) : null}
    </tr>
  );
}

function TableSkeleton() {
  return (
    <div aria-hidden="true" className="wizard-skeleton">
      {[0, 1, 2, 3, 4].map((i) => (
        <Skeleton key={i} height="2.5rem" />
      ))}
    </div>
  );
}

function emptyAdvice(isAdmin: boolean, canSync: boolean): string {
  if (isAdmin) return 'Create one with “New template”, copy one from the template library, or press Sync if they were made in WhatsApp Manager.';
  if (canSync) return 'Press Sync if they were made in WhatsApp Manager, or ask an Admin to create one.';
  return 'Ask an Admin to create or sync the templates.';
}

export function TemplatesPage() {
  usePageTitle('Templates');
  const { isAdmin, canSync } = useTemplateAccess();
  const notice = useFlashNotice();
  const { sender, select, search: senderSearch } = useTemplateSender();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const category = params.get('category') ?? '';
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? '1');
  const catalogue = useTemplates(sender);
  const remove = useDeleteTemplate(sender);
  const [deleting, setDeleting] = useState<TemplateEntry | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);

  /** Changes filters (and goes back to the first page), keeping the sender. */
  const setFilter = (name: 'status' | 'category' | 'q' | 'page', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };

  const confirmDelete = () => {
    if (!deleting) return;
    remove.mutate(
      { name: deleting.name, language: deleting.language },
      {
        onSuccess: () => {
          setDeleted(`“${deleting.name}” (${deleting.language}) was deleted.`);
          setDeleting(null);
        },
      },
    );
  };

  const filtered = (catalogue.data?.items ?? [])
    .filter((t) => (!status || t.status === status) && (!category || t.category === category) && t.name.toLowerCase().includes(q.trim().toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  const shown = paginate(filtered, page, PAGE_SIZE);
  const filtering = Boolean(status || category || q.trim());

  const table = () => {
    if (catalogue.isPending) return <TableSkeleton />;
    if (catalogue.isError) {
      return (
        <Alert title="The templates could not be loaded.">
          <p>{describeError(catalogue.error)}</p>
          <Button variant="secondary" onClick={() => void catalogue.refetch()} busy={catalogue.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (catalogue.data.items.length === 0) {
      return (
        <div className="empty">
          <p>No templates yet.</p>
          <p className="muted">{emptyAdvice(isAdmin, canSync)}</p>
        </div>
      );
    }
    if (filtered.length === 0) {
      return (
        <div className="empty">
          <p>No template matches these filters.</p>
          <p>
            <Link to={{ search: senderSearch }} replace>
              Show all templates
            </Link>
          </p>
        </div>
      );
    }
    return (
      <>
        <p className="list-status" role="status">
          {filtering
            ? `${filtered.length} of ${catalogue.data.items.length} templates match.`
            : `${catalogue.data.items.length === 1 ? '1 template' : `${catalogue.data.items.length} templates`}.`}
        </p>
        <div className="table-scroll">
          <table className="table templates-table">
            <caption className="visually-hidden">WhatsApp templates{shown.pageCount > 1 ? `, page ${shown.page} of ${shown.pageCount}` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Category</th>
                <th scope="col">Language</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
                {isAdmin ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {shown.items.map((entry) => (
                <TemplateRow
                  key={`${entry.name}/${entry.language}`}
                  entry={entry}
                  onDelete={
                    isAdmin
                      ? () => {
                          remove.reset();
                          setDeleted(null);
                          setDeleting(entry);
                        }
                      : null
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
        <Pager
          label="Pages of templates"
          page={shown.page}
          pageCount={shown.pageCount}
          total={filtered.length}
          offset={shown.offset}
          shown={shown.items.length}
          onPage={(p) => setFilter('page', p === 1 ? '' : String(p))}
        />
      </>
    );
  };

  const deleteError = remove.error
    ? remove.error instanceof ApiError && remove.error.code === 'NOT_FOUND'
      ? 'It was already deleted: the list has been refreshed. Cancel to go back to it.'
      : `${describeError(remove.error)} It was not deleted.`
    : null;

  return (
    <>
      <PageHeader
        title="Templates"
        actions={
          isAdmin ? (
            <>
              <ButtonLink to={`/templates/new${senderSearch}`}>New template</ButtonLink>
              <ButtonLink variant="secondary" to={`/templates/library${senderSearch}`}>
                Template library
              </ButtonLink>
            </>
          ) : null
        }
      >
        <p className="muted">The WhatsApp message templates of your business account. Only approved templates can be sent.</p>
        {select}
      </PageHeader>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {deleted ? <Alert tone="success">{deleted}</Alert> : null}
      {catalogue.data ? <SyncLine syncedAt={catalogue.data.syncedAt} canSync={canSync} sender={sender} /> : null}
      <UsageChart sender={sender} />
      <section className="templates-catalogue" aria-labelledby="templates-catalogue-title">
        <h2 className="visually-hidden" id="templates-catalogue-title">
          Catalogue
        </h2>
        <div className="templates-filters" role="search" aria-label="Filter templates">
          <TextField
            label="Search by name"
            type="search"
            autoComplete="off"
            value={q}
            onChange={(e) => setFilter('q', e.target.value)}
          />
          <SelectField label="Status" value={status} options={STATUS_FILTERS} onChange={(e) => setFilter('status', e.target.value)} />
          <SelectField label="Category" value={category} options={CATEGORY_FILTERS} onChange={(e) => setFilter('category', e.target.value)} />
        </div>
        {table()}
      </section>
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete “${deleting.name}” (${deleting.language})?` : 'Delete the template?'}
        confirmLabel="Delete template"
        busy={remove.isPending}
        error={deleteError ? <Alert>{deleteError}</Alert> : undefined}
        onConfirm={confirmDelete}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <p>
          WhatsApp removes it from your business account, so it can no longer be sent, and a new template cannot take its name for 30
          days. Messages already sent are not affected.
        </p>
      </ConfirmDialog>
    </>
  );
}
