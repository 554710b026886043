// The create/edit form. Validation is the API's: its "field: message" errors are shown under the
// field they name (and focus moves there); anything else is shown above the buttons.
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button, ButtonLink } from '@/components/Button';
import { Checkbox } from '@/components/Checkbox';
import { TextField } from '@/components/TextField';
import { describeError, fieldErrorOf } from '@/lib/api-error';
import { conflictingContactId, fieldMessage } from './contact-text';

export interface ContactFormValues {
  name: string;
  phone: string;
  email: string;
  optInWhatsApp: boolean;
  optInSms: boolean;
  optInEmail: boolean;
}

export const emptyContactForm: ContactFormValues = {
  name: '',
  phone: '',
  email: '',
  optInWhatsApp: false,
  optInSms: false,
  optInEmail: false,
};

const TEXT_FIELDS = ['name', 'phone', 'email'] as const;
type TextFieldName = (typeof TEXT_FIELDS)[number];

export interface ContactFormProps {
  initial: ContactFormValues;
  /** Opt-ins are chosen on creation; afterwards they change on the contact's page, with history. */
  withOptIns: boolean;
  submitLabel: string;
  cancelTo: string;
  onSubmit: (values: ContactFormValues) => void;
  pending: boolean;
  error: unknown;
}

function isTextField(field: string): field is TextFieldName {
  return (TEXT_FIELDS as readonly string[]).includes(field);
}

export function ContactForm({ initial, withOptIns, submitLabel, cancelTo, onSubmit, pending, error }: ContactFormProps) {
  const [values, setValues] = useState(initial);
  // A field's API error stays until that field is edited.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const form = useRef<HTMLFormElement>(null);

  const fieldError = fieldErrorOf(error);
  const errorField = fieldError && isTextField(fieldError.field) && !edited.has(fieldError.field) ? fieldError : null;
  const formError = error && !(fieldError && isTextField(fieldError.field)) ? error : null;

  useEffect(() => {
    if (!error) return;
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? form.current?.querySelector<HTMLElement>('.form__error'))?.focus();
  }, [error]);

  const setText = (field: TextFieldName, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setEdited((set) => new Set(set).add(field));
  };

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setEdited(new Set());
    onSubmit(values);
  };

  const errorFor = (field: TextFieldName) => {
    if (errorField?.field !== field) return undefined;
    const other = conflictingContactId(errorField.message);
    return (
      <>
        {fieldMessage(field, other ? 'already belongs to another contact.' : errorField.message)}
        {other ? (
          <>
            {' '}
            <Link to={`/contacts/${encodeURIComponent(other)}`}>Open that contact</Link>
          </>
        ) : null}
      </>
    );
  };

  return (
    <form ref={form} className="form" noValidate onSubmit={submit} aria-busy={pending || undefined}>
      <TextField
        label="Name"
        name="name"
        autoComplete="off"
        value={values.name}
        onChange={(e) => setText('name', e.target.value)}
        error={errorFor('name')}
      />
      <TextField
        label="Phone"
        name="phone"
        type="tel"
        inputMode="tel"
        autoComplete="off"
        hint="International format, e.g. +44 7911 123456"
        value={values.phone}
        onChange={(e) => setText('phone', e.target.value)}
        error={errorFor('phone')}
      />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="off"
        value={values.email}
        onChange={(e) => setText('email', e.target.value)}
        error={errorFor('email')}
      />
      <p className="muted form__note">A contact needs a phone number or an email address.</p>
      {withOptIns ? (
        <fieldset className="form__optins">
          <legend>Opted in to</legend>
          <Checkbox
            label="WhatsApp"
            checked={values.optInWhatsApp}
            onChange={(e) => setValues((v) => ({ ...v, optInWhatsApp: e.target.checked }))}
          />
          <Checkbox
            label="SMS"
            checked={values.optInSms}
            onChange={(e) => setValues((v) => ({ ...v, optInSms: e.target.checked }))}
          />
          <Checkbox
            label="Email"
            checked={values.optInEmail}
            onChange={(e) => setValues((v) => ({ ...v, optInEmail: e.target.checked }))}
          />
        </fieldset>
      ) : null}
      {formError ? (
        <div tabIndex={-1} className="form__error">
          <Alert>{describeError(formError)}</Alert>
        </div>
      ) : null}
      <div className="form__actions">
        <Button type="submit" busy={pending}>
          {pending ? 'Saving…' : submitLabel}
        </Button>
        <ButtonLink variant="secondary" to={cancelTo}>
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
