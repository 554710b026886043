// A new WhatsApp template (Admin): name, category, language and variable style; a header (text or
// an image, video or document), the body, a footer and up to ten buttons; a sample for every
// variable found; WhatsApp's rules checked as it is written (a field says what is wrong once it
// has been left, every field once Submit was pressed); a live preview drawn like the WhatsApp
// bubble. Submitted for WhatsApp's review: it can be sent once approved.
import { useRef, useState, type ReactNode, type SubmitEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { SelectField } from '@/components/SelectField';
import { categoryLabel } from '@/components/templates/template-labels';
import { TemplateBubble } from '@/components/templates/TemplateBubble';
import { TextArea } from '@/components/TextArea';
import { TextField } from '@/components/TextField';
import type { FlashState } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { useApiClient } from '@/lib/api-client-context';
import { ApiError, describeError } from '@/lib/api-error';
import { uploadMedia } from '@/lib/media-upload';
import { isHeaderMedia, TEMPLATE_CATEGORIES, type TemplateButtonType, type TemplateCategory } from '@/lib/whatsapp-templates';
import { checkHeaderFile, HEADER_MEDIA_RULES } from '@/utils/media-limits';
import { mediaNoun } from '@/utils/template-variables';
import { useCreateTemplate, type ParameterFormat } from '../api/create-template';
import { LANGUAGES, OTHER_LANGUAGE, useTemplateAccess, useTemplateSender } from './template-access';
import {
  BODY_LIMIT,
  BUTTON_LIMIT,
  BUTTON_TEXT_LIMIT,
  characters,
  emptyForm,
  FOOTER_LIMIT,
  HEADER_LIMIT,
  requestOf,
  sampleNames,
  validateTemplate,
  type FormButton,
  type HeaderChoice,
  type TemplateForm,
} from './template-rules';

const HEADER_CHOICES: { value: HeaderChoice; label: string }[] = [
  { value: 'NONE', label: 'No header' },
  { value: 'TEXT', label: 'Text' },
  { value: 'IMAGE', label: 'Image' },
  { value: 'VIDEO', label: 'Video' },
  { value: 'DOCUMENT', label: 'Document' },
];

const BUTTON_TYPES: { value: TemplateButtonType; label: string }[] = [
  { value: 'QUICK_REPLY', label: 'Quick reply' },
  { value: 'URL', label: 'Open a web page' },
  { value: 'PHONE_NUMBER', label: 'Call a phone number' },
  { value: 'COPY_CODE', label: 'Copy a code' },
];

const CATEGORY_HINT: Record<TemplateCategory, string> = {
  MARKETING: 'Offers, announcements, invitations: anything promotional. Charged the most.',
  UTILITY: 'About something the customer did or asked for: an order, a booking, an account.',
  AUTHENTICATION: 'One-time passcodes only.',
};

function Count({ text, limit }: { text: string; limit: number }) {
  return (
    <>
      {characters(text).toLocaleString('en')} / {limit.toLocaleString('en')} characters
    </>
  );
}

function ButtonsEditor({
  buttons,
  onChange,
  errorOf,
  touch,
}: {
  buttons: FormButton[];
  onChange: (buttons: FormButton[]) => void;
  errorOf: (field: string) => string | undefined;
  touch: (field: string) => void;
}) {
  const set = (index: number, change: Partial<FormButton>) => onChange(buttons.map((b, i) => (i === index ? { ...b, ...change } : b)));
  return (
    <fieldset className="template-form__buttons">
      <legend>Buttons (optional)</legend>
      <p className="field__hint">Up to {BUTTON_LIMIT}; their text may have {BUTTON_TEXT_LIMIT} characters.</p>
      {buttons.map((button, index) => {
        const n = index + 1;
        return (
          // Buttons have no identity but their place.
          <div key={index} className="template-form__button" role="group" aria-label={`Button ${n}`}>
            <SelectField
              label={`Button ${n}: kind`}
              value={button.type}
              options={BUTTON_TYPES}
              onChange={(e) => set(index, { type: e.target.value as TemplateButtonType })}
            />
            <TextField
              label={`Button ${n}: text`}
              autoComplete="off"
              value={button.text}
              error={errorOf(`button.${index}.text`)}
              hint={<Count text={button.text} limit={BUTTON_TEXT_LIMIT} />}
              onChange={(e) => set(index, { text: e.target.value })}
              onBlur={() => touch(`button.${index}.text`)}
            />
            {button.type === 'URL' ? (
              <TextField
                label={`Button ${n}: web address`}
                type="url"
                autoComplete="off"
                placeholder="https://"
                value={button.url}
                error={errorOf(`button.${index}.url`)}
                onChange={(e) => set(index, { url: e.target.value })}
                onBlur={() => touch(`button.${index}.url`)}
              />
            ) : null}
            {button.type === 'PHONE_NUMBER' ? (
              <TextField
                label={`Button ${n}: phone number`}
                type="tel"
                autoComplete="off"
                placeholder="+91 93309 94400"
                value={button.phoneNumber}
                error={errorOf(`button.${index}.phoneNumber`)}
                onChange={(e) => set(index, { phoneNumber: e.target.value })}
                onBlur={() => touch(`button.${index}.phoneNumber`)}
              />
            ) : null}
            <div>
              <Button variant="secondary" onClick={() => onChange(buttons.filter((_, i) => i !== index))}>
                Remove button {n}
              </Button>
            </div>
          </div>
        );
      })}
      {errorOf('buttons') ? <p className="field__error">{errorOf('buttons')}</p> : null}
      <div>
        <Button
          variant="secondary"
          disabled={buttons.length >= BUTTON_LIMIT}
          onClick={() => onChange([...buttons, { type: 'QUICK_REPLY', text: '', url: '', phoneNumber: '' }])}
        >
          Add a button
        </Button>
      </div>
    </fieldset>
  );
}

/** The optional sample of a media header, uploaded at once (WhatsApp's reviewers see it). */
function HeaderSample({ format, uploaded, onUploaded }: { format: 'IMAGE' | 'VIDEO' | 'DOCUMENT'; uploaded: boolean; onUploaded: (id: string | null) => void }) {
  const api = useApiClient();
  const [state, setState] = useState<{ phase: 'uploading' | 'done' | 'failed'; name: string; error?: string } | null>(null);
  const attempt = useRef(0);
  const rule = HEADER_MEDIA_RULES[format];
  const noun = mediaNoun(format);
  const pick = async (file: File | null) => {
    attempt.current += 1;
    const mine = attempt.current;
    onUploaded(null);
    if (!file) {
      setState(null);
      return;
    }
    const check = checkHeaderFile(format, file);
    if (!check.ok) {
      setState({ phase: 'failed', name: file.name, error: check.error });
      return;
    }
    setState({ phase: 'uploading', name: file.name });
    try {
      const id = await uploadMedia(api, file, check.mimeType);
      if (mine !== attempt.current) return;
      setState({ phase: 'done', name: file.name });
      onUploaded(id);
    } catch (error) {
      if (mine !== attempt.current) return;
      setState({ phase: 'failed', name: file.name, error: `${error instanceof ApiError && error.code === 'UPLOAD_FAILED' ? `The file could not be uploaded (${error.message}).` : describeError(error)} Choose it again to retry.` });
    }
  };
  return (
    <div className="field">
      <label className="field__label" htmlFor="template-header-sample">
        Sample {noun} (optional)
      </label>
      <input
        id="template-header-sample"
        className="field__file"
        type="file"
        accept={rule.types.join(',')}
        aria-describedby="template-header-sample-hint"
        aria-invalid={state?.phase === 'failed' ? true : undefined}
        onChange={(e) => void pick(e.target.files?.[0] ?? null)}
      />
      <p className="field__hint" id="template-header-sample-hint">
        {rule.hint} WhatsApp’s reviewers see it; each message then sends its own.
      </p>
      <p role="status" className="tpl-picker__upload">
        {state?.phase === 'uploading' ? `Uploading “${state.name}”…` : uploaded && state?.phase === 'done' ? `“${state.name}” is uploaded.` : ''}
      </p>
      {state?.phase === 'failed' ? <p className="field__error">{state.error}</p> : null}
    </div>
  );
}

function submitErrorText(error: unknown, form: TemplateForm): ReactNode {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'VALIDATION_FAILED':
        return `WhatsApp’s rules were not met: ${error.message}. Correct it and submit again.`;
      case 'CONFLICT':
        return `A template named “${form.name}” already exists in this language (or was deleted less than 30 days ago). Choose another name.`;
      case 'FORBIDDEN':
        return 'Only Admins can create templates. Ask an Admin.';
    }
  }
  return `${describeError(error)} The template was not submitted.`;
}

export function NewTemplatePage() {
  usePageTitle('New template');
  const { isAdmin } = useTemplateAccess();
  const { sender, search } = useTemplateSender();
  const navigate = useNavigate();
  const create = useCreateTemplate();
  const [form, setForm] = useState<TemplateForm>(emptyForm);
  const [languageChoice, setLanguageChoice] = useState(emptyForm.language);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  if (!isAdmin) return <NoAccess what="create templates" />;

  const errors = validateTemplate(form);
  const errorOf = (field: string) => (attempted || touched.has(field) ? errors[field] : undefined);
  const touch = (field: string) => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
  const edit = (change: Partial<TemplateForm>) => {
    setForm((f) => ({ ...f, ...change }));
    if (create.error) create.reset();
  };
  const variables = sampleNames(form);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (Object.keys(errors).length > 0) {
      setAttempted(true);
      setTimeout(() => summary.current?.focus(), 0);
      return;
    }
    create.mutate(requestOf(form, sender), {
      onSuccess: (template) => {
        const state: FlashState = {
          notice: `“${template.name}” (${template.language}) was submitted to WhatsApp for review. It can be sent once approved.`,
        };
        void navigate(`/templates${search}`, { state });
      },
    });
  };

  const messages = attempted ? Object.values(errors).filter((m): m is string => Boolean(m)) : [];
  return (
    <>
      <Link className="back-link" to={`/templates${search}`}>
        ← All templates
      </Link>
      <PageHeader title="New template">
        <p className="muted">WhatsApp reviews every new template, usually within minutes; it can be sent once approved.</p>
      </PageHeader>
      <div className="template-form">
        <form noValidate onSubmit={submit} className="template-form__fields" aria-busy={create.isPending || undefined}>
          {messages.length > 0 ? (
            <div ref={summary} tabIndex={-1} className="form__error">
              <Alert title="Before you submit:">
                <ul className="error-list">
                  {[...new Set(messages)].map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              </Alert>
            </div>
          ) : null}
          <TextField
            label="Name"
            name="name"
            autoComplete="off"
            value={form.name}
            hint="Lowercase letters, digits and underscores, e.g. order_update. Recipients do not see it."
            error={errorOf('name')}
            onChange={(e) => edit({ name: e.target.value })}
            onBlur={() => touch('name')}
          />
          <ChoiceGroup
            legend="Category"
            name="category"
            value={form.category}
            onChange={(category) => edit({ category })}
            choices={TEMPLATE_CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) }))}
          />
          <p className="field__hint template-form__category-hint">{CATEGORY_HINT[form.category]}</p>
          <SelectField
            label="Language"
            name="languageChoice"
            value={languageChoice}
            options={[...LANGUAGES, { value: OTHER_LANGUAGE, label: 'Another language…' }]}
            onChange={(e) => {
              setLanguageChoice(e.target.value);
              edit({ language: e.target.value === OTHER_LANGUAGE ? '' : e.target.value });
            }}
          />
          {languageChoice === OTHER_LANGUAGE ? (
            <TextField
              label="Language code"
              name="language"
              autoComplete="off"
              value={form.language}
              hint="WhatsApp’s code for the language, e.g. it, ja or zh_CN."
              error={errorOf('language')}
              onChange={(e) => edit({ language: e.target.value })}
              onBlur={() => touch('language')}
            />
          ) : null}
          <ChoiceGroup<ParameterFormat>
            legend="Variables"
            name="parameterFormat"
            value={form.parameterFormat}
            onChange={(parameterFormat) => edit({ parameterFormat })}
            choices={[
              { value: 'POSITIONAL', label: 'Numbered: {{1}}, {{2}}' },
              { value: 'NAMED', label: 'Named: {{first_name}}' },
            ]}
          />
          <SelectField
            label="Header"
            name="header"
            value={form.header}
            options={HEADER_CHOICES}
            onChange={(e) => edit({ header: e.target.value as HeaderChoice, headerMediaId: null })}
          />
          {form.header === 'TEXT' ? (
            <TextField
              label="Header text"
              name="headerText"
              autoComplete="off"
              value={form.headerText}
              hint={
                <>
                  <Count text={form.headerText} limit={HEADER_LIMIT} />; one variable at most.
                </>
              }
              error={errorOf('headerText')}
              onChange={(e) => edit({ headerText: e.target.value })}
              onBlur={() => touch('headerText')}
            />
          ) : null}
          {isHeaderMedia(form.header) ? (
            <HeaderSample
              key={form.header}
              format={form.header}
              uploaded={form.headerMediaId !== null}
              onUploaded={(headerMediaId) => edit({ headerMediaId })}
            />
          ) : null}
          <TextArea
            label="Body"
            name="body"
            rows={6}
            value={form.body}
            hint={
              <>
                <Count text={form.body} limit={BODY_LIMIT} />. Variables such as{' '}
                <code>{form.parameterFormat === 'NAMED' ? '{{first_name}}' : '{{1}}'}</code> are filled in per message; the body may
                not start or end with one.
              </>
            }
            error={errorOf('body')}
            onChange={(e) => edit({ body: e.target.value })}
            onBlur={() => touch('body')}
          />
          <TextField
            label="Footer (optional)"
            name="footer"
            autoComplete="off"
            value={form.footer}
            hint={
              <>
                <Count text={form.footer} limit={FOOTER_LIMIT} />; no variables.
              </>
            }
            error={errorOf('footer')}
            onChange={(e) => edit({ footer: e.target.value })}
            onBlur={() => touch('footer')}
          />
          <ButtonsEditor buttons={form.buttons} onChange={(buttons) => edit({ buttons })} errorOf={errorOf} touch={touch} />
          {variables.length > 0 ? (
            <fieldset className="template-form__samples">
              <legend>Samples</legend>
              <p className="field__hint">An example value for each variable, for WhatsApp’s reviewers and the preview.</p>
              {variables.map((name) => (
                <TextField
                  key={name}
                  label={`Sample for {{${name}}}`}
                  autoComplete="off"
                  value={form.samples[name] ?? ''}
                  error={errorOf(`sample.${name}`)}
                  onChange={(e) => edit({ samples: { ...form.samples, [name]: e.target.value } })}
                  onBlur={() => touch(`sample.${name}`)}
                />
              ))}
            </fieldset>
          ) : null}
          {create.error ? (
            <Alert title="The template was not submitted.">
              <p>{submitErrorText(create.error, form)}</p>
            </Alert>
          ) : null}
          <div className="form__actions">
            <Button type="submit" busy={create.isPending}>
              {create.isPending ? 'Submitting…' : 'Submit for review'}
            </Button>
            <Link className="button button--secondary" to={`/templates${search}`}>
              Cancel
            </Link>
          </div>
        </form>
        <div className="template-form__preview">
          <TemplateBubble
            header={form.header === 'NONE' ? null : form.header === 'TEXT' ? { format: 'TEXT', text: form.headerText } : { format: form.header }}
            body={form.body}
            footer={form.footer}
            buttons={form.buttons}
            headerValue={(name) => form.samples[name]}
            bodyValue={(name) => form.samples[name]}
          />
        </div>
      </div>
    </>
  );
}
