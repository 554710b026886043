// What an Admin changes on the Settings page: the AI automation switch, who receives alerts, and
// the quiet hours campaigns hold in. The form edits a draft of the settings as they were read and
// saves it whole with that version: if someone saved meanwhile the API refuses (409), and the page
// offers their settings instead of writing over them. The API's 400 names fields by the same paths
// the form's own checks use, so each message lands next to its field either way.
import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { Switch } from '@/components/Switch';
import { TextField } from '@/components/TextField';
import type { Settings } from '../api/settings';
import { useSaveSettings } from '../api/save-settings';
import {
  configOf,
  draftOf,
  FIELD,
  lastSavedSentence,
  MAX_ALERT_RECIPIENTS,
  quietNowSentence,
  recipientProblem,
  sameConfig,
  saveProblem,
  savedNotice,
  validateConfig,
  type Draft,
  type FieldErrors,
} from './settings-text';
import { TimeZoneField } from './TimeZoneField';

export interface SettingsFormProps {
  /** The settings as last read. */
  settings: Settings;
  /** The zones the API accepts; null while they load or if they could not be read. */
  timeZones: string[] | null;
  timeZonesFailed: boolean;
  onRetryTimeZones: () => void;
  /** Reads the settings again; resolves to them, or undefined if that failed. */
  onReload: () => Promise<Settings | undefined>;
}

const QUIET_CHOICES = [
  { value: 'off' as const, label: 'Send at any hour' },
  { value: 'on' as const, label: 'Hold during quiet hours' },
];

/** The fields of quiet hours, shown (with their messages) while quiet hours are on. */
const QUIET_PATHS: readonly string[] = [FIELD.start, FIELD.end, FIELD.timeZone, FIELD.quietHours];

const without = (errors: FieldErrors, drop: (path: string) => boolean): FieldErrors =>
  Object.fromEntries(Object.entries(errors).filter(([path]) => !drop(path)));

const isRecipientPath = (path: string) => path.startsWith(FIELD.recipients);

export function SettingsForm({ settings, timeZones, timeZonesFailed, onRetryTimeZones, onReload }: SettingsFormProps) {
  const save = useSaveSettings();
  const [base, setBase] = useState(settings);
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings.config));
  const [newRecipient, setNewRecipient] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  const [reloadFailed, setReloadFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const ids = useId();

  const config = configOf(draft);
  const dirty = !sameConfig(config, base.config) || newRecipient.trim() !== '';

  const rebase = (next: Settings) => {
    setBase(next);
    setDraft(draftOf(next.config));
    setNewRecipient('');
    setAddError(null);
    setErrors({});
  };

  // Settings read again while nothing is being changed (another tab's save, a refetch) are shown;
  // while something is, the draft stays, and its save answers whether someone saved meanwhile.
  const [seen, setSeen] = useState(settings);
  if (seen !== settings) {
    setSeen(settings);
    if (!dirty) rebase(settings);
  }

  // A check that failed takes the keyboard to the first field it is about.
  useEffect(() => {
    if (attempt === 0) return;
    // A refused address has no field of its own: its Remove button carries the message.
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid="true"]')?.focus();
  }, [attempt]);

  // Leaving with unsaved changes asks first (reload, close, another address).
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const edit = (change: Partial<Draft>, clear: (path: string) => boolean) => {
    setDraft((d) => ({ ...d, ...change }));
    setErrors((e) => without(e, clear));
    setNotice(null);
  };

  const addRecipient = (): string[] | null => {
    const problem = recipientProblem(newRecipient, draft.alertRecipients);
    if (problem) {
      setAddError(problem);
      setAttempt((n) => n + 1);
      return null;
    }
    const recipients = [...draft.alertRecipients, newRecipient.trim().toLowerCase()];
    edit({ alertRecipients: recipients }, (p) => p === FIELD.recipients);
    setNewRecipient('');
    setAddError(null);
    return recipients;
  };

  const removeRecipient = (index: number) =>
    // Positions move: messages about other addresses no longer point at them.
    edit({ alertRecipients: draft.alertRecipients.filter((_, i) => i !== index) }, isRecipientPath);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setNotice(null);
    save.reset();
    let recipients = draft.alertRecipients;
    // An address typed but not added is meant to be saved too.
    if (newRecipient.trim() !== '') {
      const added = addRecipient();
      if (!added) return;
      recipients = added;
    }
    const next = configOf({ ...draft, alertRecipients: recipients });
    const found = validateConfig(next, timeZones);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setAttempt((n) => n + 1);
      return;
    }
    save.mutate(
      { version: base.version, config: next },
      {
        onSuccess: (saved) => {
          rebase(saved);
          setNotice(savedNotice(saved));
        },
        onError: (error) => {
          const problem = saveProblem(error);
          if (problem.kind === 'validation') {
            setErrors(problem.fields);
            setAttempt((n) => n + 1);
          }
        },
      },
    );
  };

  const reload = async () => {
    setReloading(true);
    const fresh = await onReload();
    setReloading(false);
    setReloadFailed(!fresh);
    if (fresh) {
      save.reset();
      rebase(fresh);
    }
  };

  const discard = () => {
    save.reset();
    rebase(base);
    setNotice(null);
  };

  const problem = save.error ? saveProblem(save.error) : null;
  const placed = (path: string) =>
    path === FIELD.recipients ||
    draft.alertRecipients.some((_, i) => path === FIELD.recipient(i)) ||
    (draft.quietHoursOn && QUIET_PATHS.includes(path));
  const unplaced = Object.entries(errors).filter(([path]) => !placed(path));
  const errorCount = Object.keys(errors).length + (addError ? 1 : 0);
  const atMost = draft.alertRecipients.length >= MAX_ALERT_RECIPIENTS;
  const aiStateId = `${ids}-ai-state`;
  const recipientsHintId = `${ids}-recipients-hint`;

  return (
    <form ref={formRef} className="panel settings-form" aria-labelledby={`${ids}-title`} onSubmit={submit} noValidate>
      <div className="settings-form__head">
        <h2 className="panel__title" id={`${ids}-title`}>
          Your organisation’s settings
        </h2>
        {dirty ? <span className="status-badge status-badge--warning">Unsaved changes</span> : null}
      </div>
      {notice ? <Alert tone="success">{notice}</Alert> : null}

      <section className="settings-block" aria-labelledby={`${ids}-ai`}>
        <h3 className="settings-block__title" id={`${ids}-ai`}>
          AI automation
        </h3>
        <p className="muted">When on, the assistant sends approved-style replies to customers on its own, without an operator approving each one.</p>
        <div className="settings-switch">
          <Switch
            checked={draft.aiAutomation}
            label="AI automation"
            aria-describedby={aiStateId}
            onChange={(on) => edit({ aiAutomation: on }, (p) => p === FIELD.aiAutomation)}
          />
          <p id={aiStateId} className="settings-switch__state">
            {draft.aiAutomation
              ? 'On: the assistant replies to customers without waiting for an operator.'
              : 'Off: AI replies are drafted for approval.'}
          </p>
        </div>
      </section>

      <section className="settings-block" aria-labelledby={`${ids}-alerts`}>
        <h3 className="settings-block__title" id={`${ids}-alerts`}>
          Alert recipients
        </h3>
        <p className="muted" id={recipientsHintId}>
          Who is emailed when the platform needs someone’s attention: at most {MAX_ALERT_RECIPIENTS} addresses.
        </p>
        {draft.alertRecipients.length === 0 ? (
          <p>No one receives alerts yet.</p>
        ) : (
          <ul className="settings-recipients" aria-label="Alert recipients">
            {draft.alertRecipients.map((recipient, index) => {
              const error = errors[FIELD.recipient(index)];
              const errorId = `${ids}-recipient-${index}`;
              return (
                <li key={recipient} className="settings-recipients__item">
                  <span className="settings-recipients__address">{recipient}</span>
                  <Button
                    variant="secondary"
                    aria-label={`Remove ${recipient}`}
                    aria-describedby={error ? errorId : undefined}
                    data-invalid={error ? true : undefined}
                    onClick={() => removeRecipient(index)}
                  >
                    Remove
                  </Button>
                  {error ? (
                    <p className="field__error settings-recipients__error" id={errorId}>
                      {error}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
        <div className="settings-add">
          <TextField
            label="Add a recipient"
            type="email"
            name="alertRecipient"
            autoComplete="off"
            value={newRecipient}
            disabled={atMost}
            hint={atMost ? `That is ${MAX_ALERT_RECIPIENTS}, the most: remove someone to add another.` : 'An email address, e.g. ops@example.com.'}
            error={addError ?? errors[FIELD.recipients]}
            onChange={(e) => {
              setNewRecipient(e.target.value);
              setAddError(null);
              setNotice(null);
            }}
            onKeyDown={(e) => {
              // Enter adds the address rather than saving the whole form.
              if (e.key === 'Enter') {
                e.preventDefault();
                addRecipient();
              }
            }}
          />
          <Button variant="secondary" onClick={() => addRecipient()} disabled={atMost}>
            Add
          </Button>
        </div>
      </section>

      <section className="settings-block" aria-labelledby={`${ids}-quiet`}>
        <h3 className="settings-block__title" id={`${ids}-quiet`}>
          Quiet hours
        </h3>
        <p className="muted">Campaigns hold during these hours and resume when they end.</p>
        {settings.quietNow ? (
          <p className="settings-quiet-now" role="status">
            {quietNowSentence(settings.quietNow.until)}
          </p>
        ) : null}
        <ChoiceGroup
          legend="Campaigns"
          name={`${ids}-quiet-hours`}
          choices={QUIET_CHOICES}
          value={draft.quietHoursOn ? 'on' : 'off'}
          onChange={(value) => edit({ quietHoursOn: value === 'on' }, (p) => p.startsWith(FIELD.quietHours))}
        />
        {draft.quietHoursOn ? (
          <div className="settings-quiet">
            {errors[FIELD.quietHours] ? <p className="field__error">{errors[FIELD.quietHours]}</p> : null}
            <TextField
              label="Start"
              type="time"
              name="quietStart"
              value={draft.start}
              error={errors[FIELD.start]}
              onChange={(e) => edit({ start: e.target.value }, (p) => p === FIELD.start || p === FIELD.end)}
            />
            <TextField
              label="End"
              type="time"
              name="quietEnd"
              value={draft.end}
              hint="Earlier than the start means the next morning."
              error={errors[FIELD.end]}
              onChange={(e) => edit({ end: e.target.value }, (p) => p === FIELD.end)}
            />
            <TimeZoneField
              value={draft.timeZone}
              zones={timeZones}
              failed={timeZonesFailed}
              onRetry={onRetryTimeZones}
              error={errors[FIELD.timeZone]}
              onChange={(timeZone) => edit({ timeZone }, (p) => p === FIELD.timeZone)}
            />
          </div>
        ) : null}
      </section>

      <div className="settings-form__actions">
        {problem?.kind === 'conflict' ? (
          <Alert title="Someone else saved settings since you opened this page.">
            <p>Reload to see what they saved. Your changes here are discarded; make them again if they are still needed.</p>
            {reloadFailed ? <p>The settings could not be read again. Check your connection, then reload again.</p> : null}
            <Button variant="secondary" onClick={() => void reload()} busy={reloading}>
              Reload
            </Button>
          </Alert>
        ) : problem?.kind === 'other' ? (
          <Alert title="The settings were not saved.">
            <p>{problem.message}</p>
          </Alert>
        ) : errorCount > 0 ? (
          <Alert title={problem?.kind === 'validation' ? problem.message : 'Some settings need a correction before saving.'}>
            <p>
              {errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} a correction: see the {errorCount === 1 ? 'message' : 'messages'} next to{' '}
              {errorCount === 1 ? 'it' : 'them'}.
            </p>
            {unplaced.length > 0 ? (
              <ul>
                {unplaced.map(([path, message]) => (
                  <li key={path}>{message}</li>
                ))}
              </ul>
            ) : null}
          </Alert>
        ) : null}
        <div className="inline-actions">
          <Button type="submit" disabled={!dirty} busy={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </Button>
          {dirty ? (
            <Button variant="secondary" onClick={discard} disabled={save.isPending}>
              Discard changes
            </Button>
          ) : null}
        </div>
        <p className="muted">{dirty ? 'You have unsaved changes.' : lastSavedSentence(base)}</p>
      </div>
    </form>
  );
}
