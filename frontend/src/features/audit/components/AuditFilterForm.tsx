// The audit log's search: who (an email or a user id), what (an action or a family of them), on
// what (a resource's type and id), how it ended, and between which days. Applied with "Search",
// so a half-typed email does not send a request per keystroke.
import { useState, type SubmitEvent } from 'react';
import { Button } from '@/components/Button';
import { SelectField } from '@/components/SelectField';
import { TextField } from '@/components/TextField';
import { NO_FILTERS, type AuditFilters } from '../api/audit-entry';
import { ACTION_FILTERS, OUTCOME_FILTERS, RESOURCE_TYPES } from './audit-text';

/** What is wrong with a draft search, by field; empty when it can be sent. */
export function filterProblems(draft: AuditFilters): Partial<Record<keyof AuditFilters, string>> {
  const problems: Partial<Record<keyof AuditFilters, string>> = {};
  if (draft.resourceId.trim() && !draft.resourceType) problems.resourceType = 'Choose what kind of item the id is.';
  if (draft.resourceType && !draft.resourceId.trim()) problems.resourceId = 'Enter the id of the item, or choose “Any”.';
  if (draft.from && draft.to && draft.from > draft.to) problems.to = 'The last day must not be before the first.';
  return problems;
}

export function AuditFilterForm({ value, onApply }: { value: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const [draft, setDraft] = useState(value);
  const key = JSON.stringify(value);
  const [shown, setShown] = useState(key);
  const [checked, setChecked] = useState(false);
  // The address changed (Back, or a link in a detail): start from what it says.
  if (shown !== key) {
    setShown(key);
    setDraft(value);
    setChecked(false);
  }
  const problems = checked ? filterProblems(draft) : {};
  const set = (field: keyof AuditFilters) => (event: { target: { value: string } }) => setDraft({ ...draft, [field]: event.target.value });

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(filterProblems(draft)).length === 0) onApply(draft);
  };

  return (
    <form className="audit-filters" aria-label="Search the audit log" noValidate onSubmit={submit}>
      <TextField label="Who" name="actor" hint="An email address or a user id" value={draft.actor} onChange={set('actor')} autoComplete="off" />
      <SelectField label="What" name="action" value={draft.action} options={ACTION_FILTERS} onChange={set('action')} />
      <SelectField label="Outcome" name="outcome" value={draft.outcome} options={OUTCOME_FILTERS} onChange={set('outcome')} />
      <SelectField label="Item type" name="resourceType" value={draft.resourceType} options={RESOURCE_TYPES} onChange={set('resourceType')} hint={problems.resourceType} />
      <TextField label="Item id" name="resourceId" value={draft.resourceId} onChange={set('resourceId')} error={problems.resourceId} autoComplete="off" />
      <TextField label="From" name="from" type="date" value={draft.from} onChange={set('from')} />
      <TextField label="To" name="to" type="date" value={draft.to} onChange={set('to')} error={problems.to} />
      <div className="audit-filters__actions">
        <Button type="submit">Search</Button>
        <Button
          variant="secondary"
          onClick={() => {
            setDraft(NO_FILTERS);
            setChecked(false);
            onApply(NO_FILTERS);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
