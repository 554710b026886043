// Step 2: the message. A WhatsApp template (chosen from the sender's approved templates, each value
// the same for everyone or personalised) or text, an SMS with its live segment count, or an email;
// `{{placeholders}}` personalise it per recipient.
import { Alert } from '@/components/Alert';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { TextArea } from '@/components/TextArea';
import { TemplatePicker } from '@/components/templates/TemplatePicker';
import { TextField } from '@/components/TextField';
import { smsSegments } from '@/utils/sms-segments';
import { formatCount } from './bulk-text';
import type { StepProps } from './NewBulkJobPage';
import { columnVariables, listPlaceholders, scanAll } from './placeholders';
import { contentErrors, contentTexts, SMS_TEXT_LIMIT, WHATSAPP_TEXT_LIMIT, type Draft } from './wizard';

/** What can go in `{{…}}`, and what this message uses. */
export function PlaceholderHint({ draft }: { draft: Draft }) {
  const { names } = scanAll(contentTexts(draft));
  const columns = columnVariables(names);
  return (
    <div className="placeholder-hint">
      <p>
        Personalise with <code>{'{{name}}'}</code>, <code>{'{{phone}}'}</code> and <code>{'{{email}}'}</code> from each contact,
        or <code>{'{{column}}'}</code> for any other column of an uploaded CSV (e.g. <code>{'{{order}}'}</code>).
      </p>
      {names.length > 0 ? (
        <p>
          This message uses {listPlaceholders(names)}.
          {columns.length > 0 ? ` ${listPlaceholders(columns)} must be ${columns.length === 1 ? 'a column' : 'columns'} of your CSV.` : ''}
        </p>
      ) : null}
    </div>
  );
}

/** "2 segments · 170 GSM-7 characters (153 per segment)", as the message is written. */
export function segmentLine(text: string): string {
  const count = smsSegments(text);
  return `${count.segments === 1 ? '1 segment' : `${formatCount(count.segments)} segments`} · ${formatCount(count.units)} ${
    count.encoding
  } characters (${count.perSegment} per segment)`;
}

function SmsCount({ text }: { text: string }) {
  const count = smsSegments(text);
  const personalised = scanAll([text]).names.length > 0;
  return (
    <>
      <span className="sms-count" data-testid="sms-count">
        {segmentLine(text)}
      </span>
      {count.encoding === 'UCS-2' ? (
        <span> A character outside the GSM-7 alphabet (such as an emoji) makes the whole message UCS-2.</span>
      ) : null}
      {personalised ? (
        <span> Counted as written: each {'{{placeholder}}'} is replaced per recipient, so the preview gives the exact total.</span>
      ) : null}
    </>
  );
}

export function ContentStep(props: StepProps) {
  const { draft, update, showErrors } = props;
  const errors = showErrors ? contentErrors(draft) : {};
  const setBody = (body: string) => update((d) => ({ ...d, body }));
  const setEmail = (change: Partial<Draft['email']>) => update((d) => ({ ...d, email: { ...d.email, ...change } }));

  const fields = () => {
    switch (draft.channel) {
      case 'whatsapp':
        return (
          <>
            <ChoiceGroup
              legend="Message type"
              name="whatsappKind"
              value={draft.whatsappKind}
              onChange={(whatsappKind) => update((d) => ({ ...d, whatsappKind }))}
              choices={[
                { value: 'template', label: 'Template' },
                { value: 'text', label: 'Text' },
              ]}
            />
            {draft.whatsappKind === 'template' ? (
              <TemplatePicker
                sender={draft.sender ?? undefined}
                personalise
                value={draft.template}
                showErrors={showErrors}
                onChange={(template, templateEntry) => update((d) => ({ ...d, template, templateEntry }))}
              />
            ) : (
              <>
                <Alert tone="info">
                  WhatsApp text only reaches people who wrote to you in the last 24 hours; everyone else is left out (the preview
                  counts them). Use a template to reach everyone.
                </Alert>
                <TextArea
                  label="Message"
                  name="body"
                  rows={5}
                  value={draft.body}
                  error={errors.body}
                  hint={`${formatCount(Array.from(draft.body).length)} / ${formatCount(WHATSAPP_TEXT_LIMIT)} characters`}
                  onChange={(e) => setBody(e.target.value)}
                />
              </>
            )}
          </>
        );
      case 'sms':
        return (
          <TextArea
            label="Message"
            name="body"
            rows={5}
            value={draft.body}
            error={errors.body}
            hint={
              <>
                <SmsCount text={draft.body} />
                {Array.from(draft.body).length > SMS_TEXT_LIMIT ? <span> Longer than the {SMS_TEXT_LIMIT} characters an SMS may have.</span> : null}
              </>
            }
            onChange={(e) => setBody(e.target.value)}
          />
        );
      case 'email':
        return (
          <>
            <TextField
              label="Subject"
              name="subject"
              autoComplete="off"
              value={draft.email.subject}
              error={errors.subject}
              onChange={(e) => setEmail({ subject: e.target.value })}
            />
            <TextArea
              label="Text"
              name="text"
              rows={6}
              value={draft.email.text}
              error={errors.text}
              hint="A plain-text body, an HTML body, or both."
              onChange={(e) => setEmail({ text: e.target.value })}
            />
            <TextArea
              label="HTML (optional)"
              name="html"
              rows={4}
              value={draft.email.html}
              onChange={(e) => setEmail({ html: e.target.value })}
            />
          </>
        );
      default:
        return <Alert tone="info">Choose a channel in step 1 first.</Alert>;
    }
  };

  return (
    <div className="wizard-fields">
      <PlaceholderHint draft={draft} />
      {fields()}
      {errors.placeholders ? <p className="field__error">{errors.placeholders}</p> : null}
    </div>
  );
}
