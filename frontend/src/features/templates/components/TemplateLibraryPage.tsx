// WhatsApp's template library (Admin): ready-made templates, searched, each with its preview; "Use
// this" copies one into the business account under a name and language of the Admin's choosing,
// with the Admin's own link or number behind its URL and call buttons (the library shows only
// examples), submitted for review like any new template.
import { Fragment, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { FormDialog } from '@/components/FormDialog';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { paginate, Pager } from '@/components/Pager';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { categoryLabel } from '@/components/templates/template-labels';
import { TemplateBubble } from '@/components/templates/TemplateBubble';
import { TextField } from '@/components/TextField';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import type { FlashState } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { ApiError, describeError } from '@/lib/api-error';
import { valuesOf } from '@/utils/template-variables';
import { useCreateFromLibrary } from '../api/create-from-library';
import { useTemplateLibrary, type LibraryItem } from '../api/get-library';
import { LANGUAGES, OTHER_LANGUAGE, useTemplateAccess, useTemplateSender } from './template-access';
import {
  hasUrlVariable,
  languageError,
  libraryButtonErrors,
  libraryButtonsOf,
  libraryButtonTargets,
  nameError,
  type LibraryButtonTarget,
} from './template-rules';

export const LIBRARY_PAGE_SIZE = 25;

function samplesOf(item: LibraryItem) {
  const samples = item.variables.map((v) => v.sample ?? '');
  return { header: valuesOf(item.variables, samples, 'HEADER'), body: valuesOf(item.variables, samples, 'BODY') };
}

function LibraryCard({ item, onUse }: { item: LibraryItem; onUse: () => void }) {
  const samples = samplesOf(item);
  return (
    <li className="library-card">
      <div className="library-card__top">
        <h2 className="library-card__name">{item.libraryName}</h2>
        <p className="muted">
          {categoryLabel(item.category)} · {item.language}
        </p>
      </div>
      <TemplateBubble
        caption={`Preview of ${item.libraryName}`}
        header={item.header}
        body={item.body}
        footer={item.footer}
        buttons={item.buttons}
        headerValue={samples.header}
        bodyValue={samples.body}
      />
      <div>
        <Button variant="secondary" onClick={onUse} aria-label={`Use this: ${item.libraryName} (${item.language})`}>
          Use this
        </Button>
      </div>
    </li>
  );
}

function fromLibraryErrorText(error: unknown, name: string): string {
  if (error instanceof ApiError) {
    if (error.code === 'CONFLICT') return `A template named “${name}” already exists in this language (or was deleted less than 30 days ago). Choose another name.`;
    if (error.code === 'VALIDATION_FAILED') return `${error.message}. Correct it and try again.`;
  }
  return `${describeError(error)} Nothing was created.`;
}

function UseDialog({ item, sender, search, onClose }: { item: LibraryItem | null; sender: string | undefined; search: string; onClose: () => void }) {
  const navigate = useNavigate();
  const create = useCreateFromLibrary();
  const [name, setName] = useState(item?.libraryName ?? '');
  const [languageChoice, setLanguageChoice] = useState(() =>
    item && LANGUAGES.some((l) => l.value === item.language) ? item.language : item ? OTHER_LANGUAGE : 'en_US',
  );
  const [language, setLanguage] = useState(item?.language ?? 'en_US');
  const [targets, setTargets] = useState(() => libraryButtonTargets(item?.buttons ?? []));
  const [attempted, setAttempted] = useState(false);
  const errors = { name: nameError(name), language: languageError(language) };
  const buttonErrors = libraryButtonErrors(targets);
  const change = (index: number, edit: Partial<LibraryButtonTarget>) => {
    setTargets((all) => all.map((target, i) => (i === index ? { ...target, ...edit } : target)));
    create.reset();
  };
  const submit = () => {
    if (!item) return;
    if (errors.name || errors.language || Object.keys(buttonErrors).length > 0) {
      setAttempted(true);
      return;
    }
    create.mutate(
      {
        ...(sender ? { sender } : {}),
        libraryName: item.libraryName,
        name,
        language: language.trim(),
        // Left out rather than empty when no button needs a target, as before buttons were asked for.
        ...(targets.length ? { buttons: libraryButtonsOf(targets) } : {}),
      },
      {
        onSuccess: (template) => {
          const state: FlashState = {
            notice: `“${template.name}” (${template.language}) was created from the library and submitted to WhatsApp for review.`,
          };
          void navigate(`/templates${search}`, { state });
        },
      },
    );
  };
  return (
    <FormDialog
      open={item !== null}
      title={item ? `Use “${item.libraryName}”` : 'Use a library template'}
      submitLabel="Create template"
      busy={create.isPending}
      onSubmit={submit}
      onCancel={onClose}
      error={create.error ? <Alert>{fromLibraryErrorText(create.error, name)}</Alert> : undefined}
    >
      <p>A copy goes into your business account under this name, and WhatsApp reviews it.</p>
      <TextField
        label="Name"
        autoComplete="off"
        value={name}
        hint="Lowercase letters, digits and underscores."
        error={attempted || name !== (item?.libraryName ?? '') ? errors.name : undefined}
        onChange={(e) => {
          setName(e.target.value);
          create.reset();
        }}
      />
      <SelectField
        label="Language"
        value={languageChoice}
        options={[...LANGUAGES, { value: OTHER_LANGUAGE, label: 'Another language…' }]}
        onChange={(e) => {
          setLanguageChoice(e.target.value);
          setLanguage(e.target.value === OTHER_LANGUAGE ? '' : e.target.value);
          create.reset();
        }}
      />
      {languageChoice === OTHER_LANGUAGE ? (
        <TextField
          label="Language code"
          autoComplete="off"
          value={language}
          error={attempted ? errors.language : undefined}
          onChange={(e) => {
            setLanguage(e.target.value);
            create.reset();
          }}
        />
      ) : null}
      {targets.length ? <p>Its buttons need your own link or number: the library’s are only examples.</p> : null}
      {targets.map((target, index) =>
        target.type === 'PHONE_NUMBER' ? (
          <TextField
            // By position: two buttons may have the same text.
            key={index}
            label={`Phone number for “${target.text}”`}
            type="tel"
            autoComplete="off"
            value={target.value}
            placeholder={target.sample || undefined}
            hint="In international form, e.g. +14155550100."
            error={attempted ? buttonErrors[`button.${index}.phoneNumber`] : undefined}
            onChange={(e) => change(index, { value: e.target.value })}
          />
        ) : (
          <Fragment key={index}>
            <TextField
              label={`Link for “${target.text}”`}
              type="url"
              autoComplete="off"
              value={target.value}
              placeholder={target.sample || undefined}
              hint="The web address the button opens. End it with {{1}} to add a part per message."
              error={attempted ? buttonErrors[`button.${index}.url`] : undefined}
              onChange={(e) => change(index, { value: e.target.value })}
            />
            {hasUrlVariable(target.value) ? (
              <TextField
                label={`Sample link for “${target.text}”`}
                type="url"
                autoComplete="off"
                value={target.example}
                hint="The whole link with a sample in place of {{1}}, for WhatsApp’s reviewers."
                error={attempted ? buttonErrors[`button.${index}.urlExample`] : undefined}
                onChange={(e) => change(index, { example: e.target.value })}
              />
            ) : null}
          </Fragment>
        ),
      )}
    </FormDialog>
  );
}

export function TemplateLibraryPage() {
  usePageTitle('Template library');
  const { isAdmin } = useTemplateAccess();
  const { sender, search } = useTemplateSender();
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const q = useDebouncedValue(query.trim(), 300);
  const library = useTemplateLibrary(sender, q, { enabled: isAdmin });
  const [using, setUsing] = useState<LibraryItem | null>(null);

  if (!isAdmin) return <NoAccess what="use the template library" />;

  const items = library.data ?? [];
  const shown = paginate(items, page, LIBRARY_PAGE_SIZE);
  const body = () => {
    if (library.isPending) {
      return (
        <div aria-hidden="true" className="wizard-skeleton">
          <Skeleton height="8rem" />
          <Skeleton height="8rem" />
        </div>
      );
    }
    if (library.isError) {
      return (
        <Alert title="The template library could not be loaded.">
          <p>{describeError(library.error)}</p>
          <Button variant="secondary" onClick={() => void library.refetch()} busy={library.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (items.length === 0) {
      return <p className="empty">{q ? `Nothing in the library matches “${q}”: try other words.` : 'The library is empty for this account.'}</p>;
    }
    return (
      <>
        <p className="list-status" role="status">
          {items.length === 1 ? '1 template' : `${items.length} templates`}
          {q ? ` match “${q}”` : ''}.
        </p>
        <ul className="library-list" aria-label="Library templates">
          {shown.items.map((item) => (
            <LibraryCard key={`${item.libraryName}/${item.language}`} item={item} onUse={() => setUsing(item)} />
          ))}
        </ul>
        <Pager
          label="Pages of the library"
          page={shown.page}
          pageCount={shown.pageCount}
          total={items.length}
          offset={shown.offset}
          shown={shown.items.length}
          onPage={setPage}
        />
      </>
    );
  };

  return (
    <>
      <Link className="back-link" to={`/templates${search}`}>
        ← All templates
      </Link>
      <PageHeader title="Template library">
        <p className="muted">Ready-made templates from WhatsApp: copy one under your own name instead of writing it from scratch.</p>
        <TextField
          label="Search the library"
          type="search"
          autoComplete="off"
          className="templates-search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setPage(1);
          }}
        />
      </PageHeader>
      {body()}
      <UseDialog
        // A fresh form for each template.
        key={using ? `${using.libraryName}/${using.language}` : 'none'}
        item={using}
        sender={sender}
        search={search}
        onClose={() => setUsing(null)}
      />
    </>
  );
}
