// Choosing a WhatsApp template and filling it in, wherever one is sent — a conversation's composer
// and the bulk wizard. The sender's catalogue (GET /api/whatsapp/templates) is searched by name;
// every template shows its category, language and status, and only approved ones can be chosen
// (the others say why not). A chosen template gets one field per variable (its sample as the
// placeholder), prefilled from the contact where a named variable is named for one of their fields
// — or, in bulk, each filled with the same text for everyone or from the recipient — an upload for
// a media header, and a live preview drawn like the WhatsApp bubble the recipient will see.
//
// Controlled: `value` is the message as it would be sent ({name, language, parameters in the
// entry's `variables` order, headerMediaId?}), so a wizard step can be left and come back to.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { paginate, Pager } from '@/components/Pager';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { TextField } from '@/components/TextField';
import { useApiClient } from '@/lib/api-client-context';
import { ApiError, describeError } from '@/lib/api-error';
import { uploadMedia } from '@/lib/media-upload';
import {
  findTemplate,
  isHeaderMedia,
  useTemplates,
  type HeaderMediaFormat,
  type TemplateEntry,
  type TemplateMessage,
} from '@/lib/whatsapp-templates';
import { checkHeaderFile, HEADER_MEDIA_RULES } from '@/utils/media-limits';
import {
  bulkToken,
  contactValue,
  mediaNoun,
  prefilledParameters,
  valuesOf,
  variableLabel,
  type TemplateContact,
} from '@/utils/template-variables';
import { categoryLabel, unavailableReason } from './template-labels';
import { TemplateBubble } from './TemplateBubble';
import { TemplateStatusBadge } from './TemplateStatusBadge';

export interface TemplatePickerProps {
  /** The WhatsApp number (a `senderId` of GET /api/senders) whose business account's templates are offered; undefined = the default. */
  sender: string | undefined;
  value: TemplateMessage | null;
  /** The new message, and the catalogue entry it is of (null when none is chosen). */
  onChange: (value: TemplateMessage | null, entry: TemplateEntry | null) => void;
  /** The person written to: named variables called name, first_name, phone or email are prefilled from them. */
  contact?: TemplateContact | undefined;
  /** Bulk: every value is the same text for everyone, or the recipient's name, phone, email or a CSV column. */
  personalise?: boolean | undefined;
  /** Mark what is missing (once Send or Continue was pressed). */
  showErrors?: boolean | undefined;
}

/** Templates listed per page. */
export const PICKER_PAGE_SIZE = 10;

function withoutMedia(value: TemplateMessage): TemplateMessage {
  return { name: value.name, language: value.language, parameters: value.parameters };
}

/** Approved first, then by name and language. */
function byUsability(a: TemplateEntry, b: TemplateEntry): number {
  const approved = Number(b.status === 'APPROVED') - Number(a.status === 'APPROVED');
  return approved || a.name.localeCompare(b.name) || a.language.localeCompare(b.language);
}

function excerpt(text: string, max = 110): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const ASK_AN_ADMIN = (
  <>
    Ask an Admin to sync or create templates on the <Link to="/templates">Templates page</Link>.
  </>
);

function TemplateOption({ entry, onUse }: { entry: TemplateEntry; onUse: () => void }) {
  const reasonId = useId();
  const reason = unavailableReason(entry);
  return (
    <li className="tpl-option">
      <div className="tpl-option__text">
        <span className="tpl-option__name">{entry.name}</span>
        <span className="tpl-option__meta">
          {categoryLabel(entry.category)} · {entry.language}
        </span>
        <span className="tpl-option__body">{excerpt(entry.body)}</span>
        {reason ? (
          <span className="tpl-option__reason" id={reasonId}>
            {reason}
          </span>
        ) : null}
      </div>
      <div className="tpl-option__side">
        <TemplateStatusBadge status={entry.status} />
        <Button
          variant="secondary"
          disabled={reason !== null}
          aria-label={`Use ${entry.name} (${entry.language})`}
          aria-describedby={reason ? reasonId : undefined}
          onClick={onUse}
        >
          Use
        </Button>
      </div>
    </li>
  );
}

function TemplateList({ items, onUse, notice }: { items: TemplateEntry[]; onUse: (entry: TemplateEntry) => void; notice?: ReactNode }) {
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const q = query.trim().toLowerCase();
  const matching = items.filter((t) => t.name.toLowerCase().includes(q)).sort(byUsability);
  const approved = items.filter((t) => t.status === 'APPROVED').length;
  const shown = paginate(matching, page, PICKER_PAGE_SIZE);
  return (
    <div className="tpl-picker__list">
      {notice}
      <TextField
        label="Search templates"
        type="search"
        name="templateSearch"
        autoComplete="off"
        value={query}
        hint={`${items.length === 1 ? '1 template' : `${items.length} templates`}, ${approved} approved: only approved templates can be sent.`}
        onChange={(e) => {
          setQuery(e.target.value);
          setPage(1);
        }}
        // Enter in the search box must not send the message the picker sits in.
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.preventDefault();
        }}
      />
      {matching.length === 0 ? (
        <p role="status" className="muted">
          No template’s name contains “{query.trim()}”.
        </p>
      ) : (
        <>
          <ul className="tpl-options" aria-label="Templates">
            {shown.items.map((entry) => (
              <TemplateOption key={`${entry.name}/${entry.language}`} entry={entry} onUse={() => onUse(entry)} />
            ))}
          </ul>
          <Pager
            label="Pages of templates"
            page={shown.page}
            pageCount={shown.pageCount}
            total={matching.length}
            offset={shown.offset}
            shown={shown.items.length}
            onPage={setPage}
          />
        </>
      )}
    </div>
  );
}

type FillMode = 'fixed' | 'name' | 'phone' | 'email' | 'column';

const FILL_OPTIONS: { value: FillMode; label: string }[] = [
  { value: 'fixed', label: 'The same text for everyone' },
  { value: 'name', label: 'The contact’s name {{name}}' },
  { value: 'phone', label: 'The contact’s phone {{phone}}' },
  { value: 'email', label: 'The contact’s email {{email}}' },
  { value: 'column', label: 'A column of the CSV' },
];

const WHOLE_TOKEN = /^\{\{([^{}]*)\}\}$/;

/** How a bulk value is filled, read from the value itself. */
function fillModeOf(parameter: string): FillMode {
  const name = WHOLE_TOKEN.exec(parameter)?.[1]?.trim();
  if (name === undefined) return 'fixed';
  return name === 'name' || name === 'phone' || name === 'email' ? name : 'column';
}

const CONTACT_FIELD_WORDS: Record<string, string> = {
  name: 'the contact’s name',
  first_name: 'the first word of the contact’s name',
  phone: 'the contact’s phone number',
  email: 'the contact’s email address',
};

interface MediaState {
  state: 'uploading' | 'done' | 'failed';
  fileName: string;
  /** A thumbnail (object URL) of an image. */
  url: string | null;
  error?: string;
}

function uploadErrorText(error: unknown): string {
  if (error instanceof ApiError && error.code === 'UPLOAD_FAILED') return `The file could not be uploaded (${error.message}). Choose it again to retry.`;
  return `${describeError(error)} Choose the file again to retry.`;
}

function HeaderMediaField({
  format,
  media,
  uploaded,
  missing,
  onPick,
}: {
  format: HeaderMediaFormat;
  media: MediaState | null;
  /** A file is uploaded (possibly before this field was shown). */
  uploaded: boolean;
  missing: boolean;
  onPick: (file: File | null) => void;
}) {
  const id = useId();
  const rule = HEADER_MEDIA_RULES[format];
  const noun = mediaNoun(format);
  const error = media?.state === 'failed' ? media.error : missing && !uploaded && media?.state !== 'uploading' ? `Upload the header’s ${noun}.` : null;
  const describedBy = [`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        Header {noun}
      </label>
      <input
        id={id}
        className="field__file"
        type="file"
        accept={rule.types.join(',')}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onPick(e.target.files?.[0] ?? null)}
      />
      <p className="field__hint" id={`${id}-hint`}>
        {rule.hint} It is sent above the message.
      </p>
      <p role="status" className="tpl-picker__upload">
        {media?.state === 'uploading'
          ? `Uploading “${media.fileName}”…`
          : uploaded
            ? media?.state === 'done'
              ? `“${media.fileName}” is uploaded.`
              : `A ${noun} is uploaded for the header.`
            : ''}
      </p>
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ValueField({
  label,
  value,
  sample,
  hint,
  missing,
  onChange,
}: {
  label: string;
  value: string;
  sample: string | null | undefined;
  hint?: ReactNode;
  missing: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      label={label}
      autoComplete="off"
      value={value}
      placeholder={sample ?? undefined}
      hint={hint}
      error={missing && value.trim() === '' ? 'Fill this in.' : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function ChosenTemplate({
  entry,
  value,
  onChange,
  contact,
  personalise,
  showErrors,
}: {
  entry: TemplateEntry;
  value: TemplateMessage;
  onChange: TemplatePickerProps['onChange'];
  contact: TemplateContact | undefined;
  personalise: boolean;
  showErrors: boolean;
}) {
  const api = useApiClient();
  const [modes, setModes] = useState<Partial<Record<number, FillMode>>>({});
  const [media, setMedia] = useState<MediaState | null>(null);
  // The value an upload that ends later must add its id to (the fields may have changed meanwhile).
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  });
  const attempt = useRef(0);
  const mediaUrl = media?.url ?? null;
  useEffect(() => () => {
    if (mediaUrl) URL.revokeObjectURL(mediaUrl);
  }, [mediaUrl]);

  const reason = unavailableReason(entry);
  const format = entry.header?.format;
  const setParameter = (index: number, parameter: string) =>
    onChange({ ...value, parameters: entry.variables.map((_, i) => (i === index ? parameter : (value.parameters[i] ?? ''))) }, entry);

  const pickFile = async (file: File | null) => {
    attempt.current += 1;
    const mine = attempt.current;
    onChange(withoutMedia(latest.current), entry);
    if (!file || !isHeaderMedia(format)) {
      setMedia(null);
      return;
    }
    const check = checkHeaderFile(format, file);
    if (!check.ok) {
      setMedia({ state: 'failed', fileName: file.name, url: null, error: check.error });
      return;
    }
    const url = format === 'IMAGE' && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null;
    setMedia({ state: 'uploading', fileName: file.name, url });
    try {
      const key = await uploadMedia(api, file, check.mimeType);
      if (mine !== attempt.current) return;
      setMedia({ state: 'done', fileName: file.name, url });
      onChange({ ...withoutMedia(latest.current), headerMediaId: key }, entry);
    } catch (error) {
      if (mine !== attempt.current) return;
      setMedia({ state: 'failed', fileName: file.name, url, error: uploadErrorText(error) });
    }
  };

  const field = (index: number): ReactNode => {
    const variable = entry.variables[index];
    if (!variable) return null;
    const label = variableLabel(variable);
    const parameter = value.parameters[index] ?? '';
    const missing = showErrors;
    if (!personalise) {
      const fromContact = contact && entry.parameterFormat === 'NAMED' ? contactValue(variable.name, contact) : undefined;
      return (
        <ValueField
          key={index}
          label={label}
          value={parameter}
          sample={variable.sample}
          missing={missing}
          hint={fromContact !== undefined && fromContact === parameter ? `From ${CONTACT_FIELD_WORDS[variable.name] ?? 'the contact'}.` : undefined}
          onChange={(v) => setParameter(index, v)}
        />
      );
    }
    const mode = modes[index] ?? fillModeOf(parameter);
    const column = mode === 'column' ? (WHOLE_TOKEN.exec(parameter)?.[1] ?? '') : '';
    return (
      <div key={index} className="tpl-picker__value" role="group" aria-label={label}>
        <SelectField
          label={`Fill ${label} with`}
          value={mode}
          options={FILL_OPTIONS}
          onChange={(e) => {
            const next = e.target.value as FillMode;
            setModes((m) => ({ ...m, [index]: next }));
            setParameter(index, next === 'fixed' || next === 'column' ? '' : `{{${next}}}`);
          }}
        />
        {mode === 'fixed' ? (
          <ValueField label={label} value={parameter} sample={variable.sample} missing={missing} onChange={(v) => setParameter(index, v)} />
        ) : mode === 'column' ? (
          <TextField
            label={`CSV column for ${label}`}
            autoComplete="off"
            value={column}
            hint="The column’s name in the header row of your CSV, e.g. order."
            error={missing && column.trim() === '' ? 'Name the column.' : undefined}
            onChange={(e) => setParameter(index, e.target.value ? `{{${e.target.value}}}` : '')}
          />
        ) : null}
      </div>
    );
  };

  return (
    <div className="tpl-picker__chosen">
      <div className="tpl-picker__summary">
        <p>
          Template <strong>{entry.name}</strong> · {categoryLabel(entry.category)} · {entry.language}
        </p>
        <Button variant="secondary" onClick={() => onChange(null, null)}>
          Choose another template
        </Button>
      </div>
      {reason ? (
        <Alert title={`“${entry.name}” cannot be sent now.`}>
          <p>{reason} Choose another template.</p>
        </Alert>
      ) : null}
      <div className="tpl-picker__fill">
        <div className="tpl-picker__fields">
          {entry.variables.length > 0 ? (
            <fieldset className="tpl-picker__values">
              <legend>Values</legend>
              <p className="field__hint">
                {personalise
                  ? 'Each value is the same text for everyone, or comes from the recipient: their name, phone or email, or a column of your CSV.'
                  : 'One value for each variable of the template; the preview shows the message as it will arrive.'}
              </p>
              {entry.variables.map((_, index) => field(index))}
            </fieldset>
          ) : (
            <p className="muted">This template has no variables: it is sent as it is.</p>
          )}
          {isHeaderMedia(format) ? (
            <HeaderMediaField
              format={format}
              media={media}
              uploaded={Boolean(value.headerMediaId)}
              missing={showErrors}
              onPick={(file) => void pickFile(file)}
            />
          ) : null}
        </div>
        <TemplateBubble
          header={entry.header}
          body={entry.body}
          footer={entry.footer}
          buttons={entry.buttons}
          headerValue={valuesOf(entry.variables, value.parameters, 'HEADER')}
          bodyValue={valuesOf(entry.variables, value.parameters, 'BODY')}
          media={value.headerMediaId || media?.state === 'uploading' ? { url: media?.url, name: media?.fileName ?? 'uploaded' } : null}
        />
      </div>
    </div>
  );
}

export function TemplatePicker({ sender, value, onChange, contact, personalise = false, showErrors = false }: TemplatePickerProps) {
  const catalogue = useTemplates(sender);

  if (catalogue.isPending) {
    return (
      <div className="tpl-picker" aria-busy="true">
        <p className="visually-hidden" role="status">
          Loading the templates…
        </p>
        <Skeleton height="2.75rem" />
        <Skeleton height="4rem" />
        <Skeleton height="4rem" />
      </div>
    );
  }
  if (catalogue.isError) {
    return (
      <Alert title="The templates could not be loaded.">
        <p>{describeError(catalogue.error)}</p>
        <Button variant="secondary" onClick={() => void catalogue.refetch()} busy={catalogue.isFetching}>
          {catalogue.isFetching ? 'Loading…' : 'Try again'}
        </Button>
      </Alert>
    );
  }

  const items = catalogue.data.items;
  if (items.length === 0) {
    return (
      <Alert tone="info" title="This WhatsApp number has no message templates yet.">
        <p>{ASK_AN_ADMIN}</p>
      </Alert>
    );
  }

  const chosen = value ? findTemplate(items, value.name, value.language) : undefined;
  if (value && chosen) {
    return (
      <div className="tpl-picker">
        <ChosenTemplate
          // A new template starts with fresh fill modes and upload.
          key={`${chosen.name}/${chosen.language}`}
          entry={chosen}
          value={value}
          onChange={onChange}
          contact={contact}
          personalise={personalise}
          showErrors={showErrors}
        />
      </div>
    );
  }

  const use = (entry: TemplateEntry) => {
    const prefill = (variable: string) => (personalise ? bulkToken(variable) : contact ? contactValue(variable, contact) : undefined);
    onChange({ name: entry.name, language: entry.language, parameters: prefilledParameters(entry, prefill) }, entry);
  };
  const approved = items.some((t) => t.status === 'APPROVED');
  return (
    <div className="tpl-picker">
      <TemplateList
        items={items}
        onUse={use}
        notice={
          <>
            {value ? (
              <Alert tone="info">
                The template “{value.name}” ({value.language}) is not in this number’s catalogue any more. Choose another.
              </Alert>
            ) : null}
            {!approved ? (
              <Alert tone="info" title="None of these templates is approved, so none can be sent yet.">
                <p>{ASK_AN_ADMIN}</p>
              </Alert>
            ) : null}
            {showErrors && !value ? <p className="field__error">Choose a template.</p> : null}
          </>
        }
      />
    </div>
  );
}
