// The new-job wizard's state: what the operator has chosen so far, whether a step is complete, and
// the request it makes (the same body for the preview and for create).
import type { TemplateEntry, TemplateMessage } from '@/lib/whatsapp-templates';
import { describeTemplateProblem, templateProblems } from '@/utils/template-variables';
import type { BulkChannel, JobContent, JobRecipients, JobRequest } from '../api/bulk-job';
import type { CsvColumns } from './csv-columns';
import { columnVariables, listPlaceholders, scanAll } from './placeholders';

export const STEPS = ['sender', 'content', 'recipients', 'preview', 'confirm'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_TITLE: Record<Step, string> = {
  sender: 'Channel and sender',
  content: 'Message',
  recipients: 'Recipients',
  preview: 'Preview',
  confirm: 'Confirm and start',
};

/** The API's limits, checked before asking it. */
export const NAME_LIMIT = 120;
export const SMS_TEXT_LIMIT = 1600;
export const WHATSAPP_TEXT_LIMIT = 4096;

export type RecipientSource = 'pick' | 'filter' | 'upload';

/** A contact ticked in the picker, with what the list showed of them. */
export interface PickedContact {
  contactId: string;
  label: string;
}

export interface UploadedCsv {
  fileName: string;
  uploadId: string;
  columns: CsvColumns;
}

export interface Draft {
  name: string;
  channel: BulkChannel | null;
  /** The sender id; null until the senders are known. */
  sender: string | null;
  whatsappKind: 'template' | 'text';
  /** The template as the picker filled it in (values may hold `{{placeholders}}`); null until one is chosen. */
  template: TemplateMessage | null;
  /** The catalogue entry of `template`, as it was when chosen: which variables and header it needs. */
  templateEntry: TemplateEntry | null;
  /** WhatsApp text or SMS. */
  body: string;
  email: { subject: string; text: string; html: string };
  source: RecipientSource;
  picked: PickedContact[];
  /** The picker's filters; for `filter`, also who receives it. */
  filter: { optedIn: boolean; search: string; createdFrom: string; createdTo: string };
  upload: UploadedCsv | null;
}

export const initialDraft: Draft = {
  name: '',
  channel: null,
  sender: null,
  whatsappKind: 'template',
  template: null,
  templateEntry: null,
  body: '',
  email: { subject: '', text: '', html: '' },
  source: 'pick',
  picked: [],
  filter: { optedIn: true, search: '', createdFrom: '', createdTo: '' },
  upload: null,
};

export function contentOf(draft: Draft): JobContent | null {
  switch (draft.channel) {
    case 'whatsapp':
      if (draft.whatsappKind === 'text') return { type: 'text', body: draft.body };
      return draft.template
        ? {
            type: 'template',
            name: draft.template.name,
            language: draft.template.language,
            parameters: draft.template.parameters,
            ...(draft.template.headerMediaId ? { headerMedia: { s3Key: draft.template.headerMediaId } } : {}),
          }
        : null;
    case 'sms':
      return { type: 'text', body: draft.body };
    case 'email':
      return {
        type: 'email',
        subject: draft.email.subject,
        ...(draft.email.text.trim() ? { text: draft.email.text } : {}),
        ...(draft.email.html.trim() ? { html: draft.email.html } : {}),
      };
    default:
      return null;
  }
}

/** The texts of the content that are personalised per recipient. */
export function contentTexts(draft: Draft): string[] {
  const content = contentOf(draft);
  if (!content) return [];
  switch (content.type) {
    case 'template':
      return content.parameters;
    case 'text':
      return [content.body];
    case 'email':
      return [content.subject, content.text ?? '', content.html ?? ''];
  }
}

/** `2026-11-20` (a date field's value) as the start, or the end, of that day where the reader is. */
export function dayBoundary(date: string, edge: 'start' | 'end'): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const at = edge === 'start' ? new Date(y, m, d, 0, 0, 0, 0) : new Date(y, m, d, 23, 59, 59, 999);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

export function recipientsOf(draft: Draft): JobRecipients | null {
  switch (draft.source) {
    case 'pick':
      return draft.picked.length ? { type: 'contacts', contactIds: draft.picked.map((c) => c.contactId) } : null;
    case 'filter': {
      const search = draft.filter.search.trim();
      const from = dayBoundary(draft.filter.createdFrom, 'start');
      const to = dayBoundary(draft.filter.createdTo, 'end');
      return {
        type: 'filter',
        optedIn: draft.filter.optedIn,
        ...(search ? { search } : {}),
        ...(from ? { createdFrom: from } : {}),
        ...(to ? { createdTo: to } : {}),
      };
    }
    case 'upload':
      return draft.upload ? { type: 'upload', uploadId: draft.upload.uploadId } : null;
  }
}

/** The request the draft makes, once the first three steps are complete. */
export function requestOf(draft: Draft): JobRequest | null {
  const content = contentOf(draft);
  const recipients = recipientsOf(draft);
  if (!draft.channel || !draft.sender || !content || !recipients) return null;
  const name = draft.name.trim();
  return { ...(name ? { name } : {}), channel: draft.channel, sender: draft.sender, content, recipients };
}

/** What is wrong with a step, by field; empty when it is complete. */
export type StepErrors = Partial<Record<string, string>>;

function characters(text: string): number {
  return Array.from(text).length;
}

export function senderErrors(draft: Draft): StepErrors {
  const errors: StepErrors = {};
  if (!draft.channel) errors.channel = 'Choose the channel to send on.';
  else if (!draft.sender) errors.sender = 'Choose who the messages come from.';
  if (characters(draft.name.trim()) > NAME_LIMIT) errors.name = `Shorten the name to ${NAME_LIMIT} characters or fewer.`;
  return errors;
}

/** The draft on another channel or sender: a template chosen for the old sender is dropped. */
export function withSender(draft: Draft, channel: BulkChannel, sender: string | null): Draft {
  const same = channel === draft.channel && sender === draft.sender;
  return same ? draft : { ...draft, channel, sender, ...(sender === draft.sender ? {} : { template: null, templateEntry: null }) };
}

export function contentErrors(draft: Draft): StepErrors {
  const errors: StepErrors = {};
  if (draft.channel === 'whatsapp' && draft.whatsappKind === 'template' && !draft.template) {
    return { template: 'Choose an approved template.' };
  }
  const content = contentOf(draft);
  if (!content) return { channel: 'Choose a channel first.' };
  switch (content.type) {
    case 'template':
      if (draft.template && draft.templateEntry) {
        for (const problem of templateProblems(draft.templateEntry, draft.template)) {
          errors[problem.kind === 'headerMedia' ? 'headerMedia' : `parameter${problem.index}`] = describeTemplateProblem(problem);
        }
      }
      break;
    case 'text': {
      const limit = draft.channel === 'sms' ? SMS_TEXT_LIMIT : WHATSAPP_TEXT_LIMIT;
      if (!content.body.trim()) errors.body = 'Write the message.';
      else if (characters(content.body) > limit) errors.body = `Shorten the message to ${limit} characters or fewer.`;
      break;
    }
    case 'email':
      if (!content.subject.trim()) errors.subject = 'Write a subject.';
      if (!content.text && !content.html) errors.text = 'Write a plain-text body, an HTML body, or both.';
      break;
  }
  if (scanAll(contentTexts(draft)).unclosed) {
    errors.placeholders = 'A placeholder is not closed: write it as {{name}}, with two braces on each side.';
  }
  return errors;
}

export function recipientErrors(draft: Draft): StepErrors {
  switch (draft.source) {
    case 'pick':
      return draft.picked.length ? {} : { picked: 'Tick at least one contact, or choose another way to pick recipients.' };
    case 'filter': {
      const from = dayBoundary(draft.filter.createdFrom, 'start');
      const to = dayBoundary(draft.filter.createdTo, 'end');
      return from && to && from > to ? { createdTo: 'The end date is before the start date: swap them.' } : {};
    }
    case 'upload':
      return draft.upload ? {} : { upload: 'Choose a CSV file and wait for it to upload.' };
  }
}

export function stepErrors(draft: Draft, step: Step): StepErrors {
  switch (step) {
    case 'sender':
      return senderErrors(draft);
    case 'content':
      return contentErrors(draft);
    case 'recipients':
      return recipientErrors(draft);
    default:
      return {};
  }
}

export function isComplete(errors: StepErrors): boolean {
  return Object.keys(errors).length === 0;
}

/**
 * A warning about placeholders the chosen recipients cannot fill: a contact has a name, phone and
 * email, a CSV row has its columns. Recipients without a value are left out (missing_variable), so
 * this is said before the preview shows it.
 */
export function variableWarning(draft: Draft): string | null {
  const names = scanAll(contentTexts(draft)).names;
  const columns = columnVariables(names);
  if (draft.source === 'upload') {
    if (!draft.upload) return null;
    const available = new Set([...draft.upload.columns.variables, ...draft.upload.columns.headers]);
    const missing = columns.filter((c) => !available.has(c));
    return missing.length
      ? `Your message uses ${listPlaceholders(missing)}, but ${draft.upload.fileName} has no such column: those recipients will be left out. Add the column or change the message.`
      : null;
  }
  return columns.length
    ? `Your message uses ${listPlaceholders(columns)}, which only a column of a CSV can fill: contacts picked here will be left out. Upload a CSV with that column, or use only {{name}}, {{phone}} and {{email}}.`
    : null;
}
