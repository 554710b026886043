// Step 3: who receives it — contacts ticked in a list, every contact matching filters (opted in,
// a search, created between two dates), or the rows of an uploaded CSV.
import { useEffect, useId, useRef, useState } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { channelName } from '@/components/ChannelIcon';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { Skeleton } from '@/components/Skeleton';
import { Switch } from '@/components/Switch';
import { TextField } from '@/components/TextField';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { useApiClient } from '@/lib/api-client-context';
import { ApiError, describeError } from '@/lib/api-error';
import { formatBytes, formatDateTime } from '@/utils/format';
import type { BulkChannel } from '../api/bulk-job';
import { usePickableContacts, type PickableContact } from '../api/get-contacts';
import { createCsvUpload, putCsv, type UploadProgress } from '../api/upload-csv';
import { formatCount, plural } from './bulk-text';
import { csvColumns, csvProblem, type CsvColumns } from './csv-columns';
import type { StepProps } from './NewBulkJobPage';
import { dayBoundary, recipientErrors, variableWarning, type Draft, type PickedContact, type RecipientSource } from './wizard';

export const SEARCH_DEBOUNCE_MS = 300;

const OPT_IN: Record<BulkChannel, 'optInWhatsApp' | 'optInSms' | 'optInEmail'> = {
  whatsapp: 'optInWhatsApp',
  sms: 'optInSms',
  email: 'optInEmail',
};

function contactLabel(c: PickableContact): string {
  return c.name?.trim() || c.phone || c.email || c.contactId;
}

/** Whether a listed contact passes the filters the contacts API cannot apply (opt-in, dates). */
export function passesFilters(contact: PickableContact, channel: BulkChannel | null, filter: Draft['filter']): boolean {
  if (filter.optedIn && channel && !contact[OPT_IN[channel]]) return false;
  const from = dayBoundary(filter.createdFrom, 'start');
  const to = dayBoundary(filter.createdTo, 'end');
  const created = Date.parse(contact.createdAt);
  if (from && created < Date.parse(from)) return false;
  if (to && created > Date.parse(to)) return false;
  return true;
}

function Filters({ draft, update, showErrors }: StepProps) {
  const channel = draft.channel ? channelName[draft.channel] : 'the channel';
  const errors = showErrors ? recipientErrors(draft) : {};
  const setFilter = (change: Partial<Draft['filter']>) => update((d) => ({ ...d, filter: { ...d.filter, ...change } }));
  const toggleId = useId();
  return (
    <fieldset className="picker-filters">
      <legend className="choice-group__legend">Filters</legend>
      <TextField
        label="Search"
        type="search"
        name="search"
        autoComplete="off"
        placeholder="Name, email or phone"
        value={draft.filter.search}
        onChange={(e) => setFilter({ search: e.target.value })}
      />
      <div className="switch-row">
        <Switch
          label={`Only contacts opted in to ${channel}`}
          aria-describedby={toggleId}
          checked={draft.filter.optedIn}
          onChange={(optedIn) => setFilter({ optedIn })}
        />
        <span aria-hidden="true">Only contacts opted in to {channel}</span>
        <span className="visually-hidden" id={toggleId}>
          When off, contacts without consent are listed too; the preview shows them as left out.
        </span>
      </div>
      <div className="picker-filters__dates">
        <TextField
          label="Created from"
          type="date"
          name="createdFrom"
          value={draft.filter.createdFrom}
          onChange={(e) => setFilter({ createdFrom: e.target.value })}
        />
        <TextField
          label="Created to"
          type="date"
          name="createdTo"
          value={draft.filter.createdTo}
          error={errors.createdTo}
          onChange={(e) => setFilter({ createdTo: e.target.value })}
        />
      </div>
    </fieldset>
  );
}

function ContactList({ draft, update, showErrors }: StepProps) {
  const q = useDebouncedValue(draft.filter.search.trim(), SEARCH_DEBOUNCE_MS);
  const contacts = usePickableContacts(q);
  const loaded = contacts.data?.pages.flatMap((p) => p.items) ?? [];
  const shown = loaded.filter((c) => passesFilters(c, draft.channel, draft.filter));
  const picking = draft.source === 'pick';
  const picked = new Set(draft.picked.map((c) => c.contactId));
  const errors = showErrors ? recipientErrors(draft) : {};
  const channel = draft.channel;

  const toggle = (contact: PickableContact, on: boolean) =>
    update((d) => ({
      ...d,
      picked: on
        ? [...d.picked.filter((p) => p.contactId !== contact.contactId), { contactId: contact.contactId, label: contactLabel(contact) }]
        : d.picked.filter((p) => p.contactId !== contact.contactId),
    }));
  const tickAll = () =>
    update((d) => {
      const have = new Set(d.picked.map((p) => p.contactId));
      const more: PickedContact[] = shown.filter((c) => !have.has(c.contactId)).map((c) => ({ contactId: c.contactId, label: contactLabel(c) }));
      return { ...d, picked: [...d.picked, ...more] };
    });

  const list = () => {
    if (contacts.isPending) return <Skeleton height="8rem" />;
    if (contacts.isError && loaded.length === 0) {
      return (
        <Alert title="The contacts could not be loaded.">
          <p>{describeError(contacts.error)}</p>
          <Button variant="secondary" onClick={() => void contacts.refetch()}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (shown.length === 0) {
      return (
        <p className="empty">
          {loaded.length === 0
            ? q
              ? `No contacts match “${q}”.`
              : 'No contacts yet.'
            : 'None of the contacts loaded so far pass the filters.'}
          {contacts.hasNextPage ? ' Load more to look further.' : ''}
        </p>
      );
    }
    return (
      <ul className="picker-list" aria-label={picking ? 'Contacts to pick from' : 'Contacts matching the filters'}>
        {shown.map((c) => {
          const optedIn = channel ? c[OPT_IN[channel]] : false;
          const details = (
            <>
              <span className="picker-row__name">{contactLabel(c)}</span>
              <span className="picker-row__details">
                {[c.phone, c.email].filter(Boolean).join(' · ') || 'No address'} ·{' '}
                {channel ? (optedIn ? `opted in to ${channelName[channel]}` : `not opted in to ${channelName[channel]}`) : ''} · created{' '}
                {formatDateTime(c.createdAt)}
              </span>
            </>
          );
          return (
            <li key={c.contactId} className="picker-row">
              {picking ? (
                <label className="picker-row__label">
                  <input
                    type="checkbox"
                    className="checkbox__input"
                    checked={picked.has(c.contactId)}
                    onChange={(e) => toggle(c, e.target.checked)}
                  />
                  <span className="picker-row__text">{details}</span>
                </label>
              ) : (
                <span className="picker-row__text">{details}</span>
              )}
            </li>
          );
        })}
      </ul>
    );
  };

  return (
    <div className="picker">
      <div className="picker__bar">
        <p role="status" className="picker__count">
          {picking
            ? draft.picked.length === 0
              ? 'No contacts picked yet.'
              : `${plural(draft.picked.length, 'contact')} picked.`
            : `Showing ${formatCount(shown.length)} of the contacts loaded so far; the preview counts everyone who matches.`}
        </p>
        {picking ? (
          <span className="inline-actions">
            <Button variant="secondary" onClick={tickAll} disabled={shown.every((c) => picked.has(c.contactId))}>
              Pick all shown ({formatCount(shown.length)})
            </Button>
            <Button variant="secondary" onClick={() => update((d) => ({ ...d, picked: [] }))} disabled={draft.picked.length === 0}>
              Clear
            </Button>
          </span>
        ) : null}
      </div>
      {picking && errors.picked ? <p className="field__error">{errors.picked}</p> : null}
      {list()}
      {contacts.hasNextPage ? (
        <div className="load-more">
          <Button variant="secondary" onClick={() => void contacts.fetchNextPage()} busy={contacts.isFetchingNextPage}>
            {contacts.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

type UploadState =
  | { state: 'idle' }
  | { state: 'checking'; fileName: string }
  | { state: 'uploading'; fileName: string; size: number; progress: UploadProgress }
  | { state: 'failed'; fileName: string; message: string };

/** The percentage of an upload, 0–100. */
export function uploadPercent(progress: UploadProgress): number {
  if (progress.total <= 0) return 0;
  return Math.min(100, Math.floor((progress.loaded / progress.total) * 100));
}

function ColumnsNote() {
  return (
    <div className="placeholder-hint">
      <p>The first row names the columns:</p>
      <ul>
        <li>
          <code>phone</code> and/or <code>email</code>: where to send (at least one);
        </li>
        <li>
          <code>name</code> (optional): fills <code>{'{{name}}'}</code>;
        </li>
        <li>
          <code>optInWhatsApp</code>, <code>optInSms</code>, <code>optInEmail</code> (optional, yes or no): consent you hold for
          the people on this list;
        </li>
        <li>
          any other column is a variable: a column <code>order</code> fills <code>{'{{order}}'}</code>.
        </li>
      </ul>
      <p className="muted">Rows that cannot be used are listed with their line number in the preview.</p>
    </div>
  );
}

function ColumnsFound({ columns }: { columns: CsvColumns }) {
  return (
    <p>
      Address: {[columns.phone, columns.email].filter(Boolean).join(' and ')}
      {columns.name ? ` · name: ${columns.name}` : ''}
      {columns.consent.length ? ` · consent: ${columns.consent.join(', ')}` : ''}
      {columns.variables.length ? ` · variables: ${columns.variables.map((v) => `{{${v}}}`).join(', ')}` : ' · no variables'}
    </p>
  );
}

function CsvUploader({ draft, update, showErrors }: StepProps) {
  const api = useApiClient();
  const inputId = useId();
  const [upload, setUpload] = useState<UploadState>({ state: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const errors = showErrors ? recipientErrors(draft) : {};
  useEffect(() => () => abort.current?.abort(), []);

  const start = async (file: File) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    update((d) => ({ ...d, upload: null }));
    setUpload({ state: 'checking', fileName: file.name });
    let columns: CsvColumns | null;
    try {
      columns = csvColumns(await file.slice(0, 64 * 1024).text());
    } catch {
      columns = null;
    }
    const problem = csvProblem(file, columns);
    if (problem || !columns) {
      setUpload({ state: 'failed', fileName: file.name, message: problem ?? 'The file could not be read. Choose another.' });
      return;
    }
    try {
      const target = await createCsvUpload(api, file.name);
      setUpload({ state: 'uploading', fileName: file.name, size: file.size, progress: { loaded: 0, total: file.size } });
      await putCsv(target, file, {
        signal: controller.signal,
        onProgress: (progress) => setUpload({ state: 'uploading', fileName: file.name, size: file.size, progress }),
      });
      const found = columns;
      update((d) => ({ ...d, upload: { fileName: file.name, uploadId: target.uploadId, columns: found } }));
      setUpload({ state: 'idle' });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        setUpload({ state: 'idle' });
        return;
      }
      const message =
        error instanceof ApiError && error.code === 'UPLOAD_FAILED'
          ? `The file could not be uploaded (${error.message}). Try again; if it keeps failing, tell your administrator.`
          : describeError(error);
      setUpload({ state: 'failed', fileName: file.name, message });
    }
  };

  return (
    <div className="wizard-fields">
      <ColumnsNote />
      <div className="field">
        <label className="field__label" htmlFor={inputId}>
          CSV file
        </label>
        <input
          id={inputId}
          className="field__file"
          type="file"
          name="csv"
          accept=".csv,text/csv"
          disabled={upload.state === 'uploading' || upload.state === 'checking'}
          aria-invalid={upload.state === 'failed' || errors.upload ? true : undefined}
          aria-describedby={upload.state === 'failed' ? `${inputId}-error` : undefined}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void start(file);
          }}
        />
        {upload.state === 'failed' ? (
          <p className="field__error" id={`${inputId}-error`}>
            {upload.fileName}: {upload.message}
          </p>
        ) : errors.upload && !draft.upload && upload.state === 'idle' ? (
          <p className="field__error">{errors.upload}</p>
        ) : null}
      </div>
      {upload.state === 'checking' ? <p role="status">Reading {upload.fileName}…</p> : null}
      {upload.state === 'uploading' ? (
        <div className="upload-progress">
          <label htmlFor={`${inputId}-progress`}>
            Uploading {upload.fileName} ({formatBytes(upload.size)}): {uploadPercent(upload.progress)} %
          </label>
          <progress id={`${inputId}-progress`} max={100} value={uploadPercent(upload.progress)}>
            {uploadPercent(upload.progress)} %
          </progress>
          <Button variant="secondary" onClick={() => abort.current?.abort()}>
            Stop upload
          </Button>
        </div>
      ) : null}
      {draft.upload && upload.state === 'idle' ? (
        <Alert tone="success" title={`Uploaded ${draft.upload.fileName}.`}>
          <ColumnsFound columns={draft.upload.columns} />
        </Alert>
      ) : null}
    </div>
  );
}

const SOURCES: { value: RecipientSource; label: string }[] = [
  { value: 'pick', label: 'Pick contacts' },
  { value: 'filter', label: 'All matching filters' },
  { value: 'upload', label: 'Upload a CSV' },
];

export function RecipientsStep(props: StepProps) {
  const { draft, update } = props;
  const warning = variableWarning(draft);
  return (
    <div className="wizard-fields">
      <ChoiceGroup legend="Who receives it" name="source" value={draft.source} onChange={(source) => update((d) => ({ ...d, source }))} choices={SOURCES} />
      {warning ? <Alert tone="info">{warning}</Alert> : null}
      {draft.source === 'upload' ? (
        <CsvUploader {...props} />
      ) : (
        <>
          <Filters {...props} />
          <ContactList {...props} />
        </>
      )}
    </div>
  );
}
