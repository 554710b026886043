// Writing to the contact: pick a channel they have an address for and, when the organisation has
// several, which of its numbers or addresses to send from (its default preselected); then a
// WhatsApp text (inside the 24-hour window) or template, an SMS with its live segment count, or an
// email. A channel the contact has not opted in to, or the organisation has no sender for, is
// offered but locked, with the way to fix it; whatever the API still refuses is explained in words.
// Each message is sent under one Idempotency-Key however often Send is pressed (see api/send).
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject, type SubmitEvent } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ChannelIcon, channelName } from '@/components/ChannelIcon';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { TextArea } from '@/components/TextArea';
import { TemplatePicker } from '@/components/templates/TemplatePicker';
import { TextField } from '@/components/TextField';
import { ApiError } from '@/lib/api-error';
import { sendersOn, useSenders, type Sender } from '@/lib/senders';
import type { TemplateEntry, TemplateMessage } from '@/lib/whatsapp-templates';
import { formatTime } from '@/utils/format';
import { UNKNOWN_DELIVERY_DETAIL, UNKNOWN_DELIVERY_LABEL } from '@/utils/message-status';
import { smsSegments } from '@/utils/sms-segments';
import { describeTemplateProblem, templateProblems } from '@/utils/template-variables';
import type { ConversationContact } from '../api/get-contact';
import type { Channel, ConversationWindow, Message } from '../api/message';
import { useSendEmail } from '../api/send-email';
import { useSendSms } from '../api/send-sms';
import { useSendWhatsApp, useSendWhatsAppFile, type SendFileInput, type WhatsAppTemplate } from '../api/send-whatsapp';
import { ACCEPTED_TYPES, checkFile, FILE_HINT, formatFileSize, MEDIA_RULES, takesCaption, type FileCheck } from '@/utils/media-limits';
import { describeSendError } from './send-errors';

const optInField = { whatsapp: 'optInWhatsApp', sms: 'optInSms', email: 'optInEmail' } as const;

/** WhatsApp's limit for a free-form text body, in characters. */
export const WHATSAPP_TEXT_LIMIT = 4096;
/** The API's limit for an SMS body, in characters. */
export const SMS_TEXT_LIMIT = 1600;

/**
 * The channels the contact has an address for. WhatsApp also reaches someone known only by the
 * user id WhatsApp gave us when they wrote without showing a number; SMS needs the number itself.
 */
export function channelsOf(contact: Pick<ConversationContact, 'phone' | 'email' | 'whatsappUserId'>): Channel[] {
  return [
    ...(contact.phone || contact.whatsappUserId ? (['whatsapp'] as const) : []),
    ...(contact.phone ? (['sms'] as const) : []),
    ...(contact.email ? (['email'] as const) : []),
  ];
}

interface SendState {
  isPending: boolean;
  /** The API said this message is still being processed, and is being asked again. */
  retrying: boolean;
  error: unknown;
  data: Message | undefined;
  reset: () => void;
}

/** What the composer says about a send the API accepted (202). */
function acceptedText(message: Message): string {
  switch (message.status) {
    case 'dry_run':
      return 'Recorded as a dry run: every check passed, nothing was sent to the provider.';
    case 'unknown':
      return `${UNKNOWN_DELIVERY_LABEL}. ${UNKNOWN_DELIVERY_DETAIL}`;
    default:
      return 'Sent.';
  }
}

/** The answer to the last send: the error in words (focused, so it is read out), or a success. */
function SendOutcome({
  send,
  channel,
  contact,
  progress,
}: {
  send: SendState;
  channel: Channel;
  contact: ConversationContact;
  /** What is happening while the send is pending ("Uploading …"). */
  progress?: string | null;
}) {
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (send.error) errorBox.current?.focus();
  }, [send.error]);
  const name = contact.name ?? contact.phone ?? contact.email ?? (contact.whatsappUserId ? 'The WhatsApp user' : 'The contact');
  if (send.error) {
    const notOptedIn = send.error instanceof ApiError && send.error.code === 'NOT_OPTED_IN';
    return (
      <div ref={errorBox} tabIndex={-1} className="form__error">
        <Alert title="Not sent">
          <p>{describeSendError(send.error, channel, name)}</p>
          {notOptedIn ? (
            <p>
              <Link to={`/contacts/${encodeURIComponent(contact.contactId)}`}>Open the contact’s page</Link>
            </p>
          ) : null}
        </Alert>
      </div>
    );
  }
  const tone = send.isPending ? ' composer__outcome--progress' : send.data?.status === 'unknown' ? ' composer__outcome--warning' : '';
  return (
    <p className={`composer__outcome${tone}`} role="status">
      {send.isPending
        ? send.retrying
          ? 'This message is still being processed; checking again…'
          : (progress ?? '')
        : send.data
          ? acceptedText(send.data)
          : ''}
    </p>
  );
}

function SendButton({
  pending,
  pendingLabel = 'Sending…',
  describedBy,
  children,
}: {
  pending: boolean;
  pendingLabel?: string;
  /** The line saying where the message goes from, read with the button. */
  describedBy?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="form__actions">
      <Button type="submit" busy={pending} aria-describedby={describedBy}>
        {pending ? pendingLabel : children}
      </Button>
    </div>
  );
}

/** Which sender a form sends from, as the composer settled it. */
interface SenderChoice {
  /** The `from` to send; undefined = the organisation's default (the list could not be loaded). */
  senderId: string | undefined;
  /** "From +91 93309 94400", for the line above the Send button; null when nothing can be sent. */
  line: string | null;
}

/** The request's `from`, when one was chosen. */
function fromOf(sender: SenderChoice): { from?: string } {
  return sender.senderId === undefined ? {} : { from: sender.senderId };
}

/** Where the message goes from, said next to the Send button (which it describes). */
function FromLine({ id, sender }: { id: string; sender: SenderChoice }) {
  if (!sender.line) return null;
  return (
    <p className="composer__from" id={id}>
      {sender.line}
    </p>
  );
}

function characters(text: string): number {
  return Array.from(text).length;
}

interface FormProps {
  contact: ConversationContact;
  locked: boolean;
  sender: SenderChoice;
}

/** The template to send, as the picker filled it in: the message, and the catalogue entry it is of. */
interface TemplateDraft {
  message: TemplateMessage;
  entry: TemplateEntry;
  /** The number whose catalogue it was picked from: another "From" needs a template of its own. */
  senderId: string | undefined;
}

/** What is still missing before the template can be sent, in sentences; empty when it can be. */
function templateDraftProblems(draft: TemplateDraft | null): string[] {
  if (!draft) return ['Choose a template.'];
  return templateProblems(draft.entry, draft.message).map(describeTemplateProblem);
}

function templateOf({ message }: TemplateDraft): WhatsAppTemplate {
  return {
    name: message.name,
    language: message.language,
    parameters: message.parameters.map((p) => p.trim()),
    ...(message.headerMediaId ? { headerMedia: { s3Key: message.headerMediaId } } : {}),
  };
}

/** The file picked to send, and whether WhatsApp would take it. */
interface Attachment {
  file: File;
  check: FileCheck;
}

function FileFields({
  attachment,
  onPick,
  caption,
  onCaption,
  missing,
  inputRef,
}: {
  attachment: Attachment | null;
  onPick: (file: File | null) => void;
  caption: string;
  onCaption: (caption: string) => void;
  /** Send was pressed without a file. */
  missing: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const id = useId();
  const error = attachment && !attachment.check.ok ? attachment.check.error : missing ? 'Choose a file to send.' : null;
  const kind = attachment?.check.ok ? attachment.check.kind : null;
  const captionAllowed = kind === null || takesCaption(kind);
  const describedBy = [`${id}-hint`, error ? `${id}-error` : null, attachment ? `${id}-chosen` : null].filter(Boolean).join(' ');
  return (
    <div className="composer__file">
      <div className="field">
        <label className="field__label" htmlFor={id}>
          File
        </label>
        <input
          ref={inputRef}
          id={id}
          className="field__file"
          type="file"
          name="file"
          accept={ACCEPTED_TYPES}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onPick(e.target.files?.[0] ?? null)}
        />
        <p className="field__hint" id={`${id}-hint`}>
          {FILE_HINT}
        </p>
        {error ? (
          <p className="field__error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
        {attachment ? (
          <p className="composer__chosen">
            <span id={`${id}-chosen`}>
              <span className="composer__chosen-name">{attachment.file.name}</span>
              <span className="muted">
                {' '}
                · {formatFileSize(attachment.file.size)}
                {kind ? ` · ${MEDIA_RULES[kind].name}` : ''}
              </span>
            </span>{' '}
            <Button variant="secondary" className="composer__remove" onClick={() => onPick(null)} aria-label={`Remove ${attachment.file.name}`}>
              Remove
            </Button>
          </p>
        ) : null}
      </div>
      <TextArea
        label="Caption (optional)"
        name="caption"
        rows={2}
        value={captionAllowed ? caption : ''}
        disabled={!captionAllowed}
        onChange={(e) => onCaption(e.target.value)}
        hint={
          captionAllowed
            ? `${characters(caption)} / ${WHATSAPP_TEXT_LIMIT} characters`
            : 'WhatsApp shows no caption with audio or stickers.'
        }
      />
    </div>
  );
}

function WhatsAppForm({ contact, locked, sender, whatsappWindow, now }: FormProps & { whatsappWindow: ConversationWindow; now: number }) {
  const fromId = useId();
  const send = useSendWhatsApp(contact.contactId);
  const sendFile = useSendWhatsAppFile(contact.contactId);
  const open = whatsappWindow.state === 'open' && Date.parse(whatsappWindow.expiresAt) > now;
  const [mode, setMode] = useState<'text' | 'file' | 'template'>('text');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<TemplateDraft | null>(null);
  const template = picked?.senderId === sender.senderId ? picked : null;
  /** Send was pressed with the template incomplete: say what is missing. */
  const [templateChecked, setTemplateChecked] = useState(false);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [caption, setCaption] = useState('');
  const [fileMissing, setFileMissing] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const kind = open ? mode : 'template';
  const active = kind === 'file' ? sendFile : send;

  const edit = () => {
    if (send.error || send.data) send.reset();
    if (sendFile.error || sendFile.data) sendFile.reset();
  };
  const setFile = (file: File | null) => {
    setAttachment(file ? { file, check: checkFile(file) } : null);
    setFileMissing(false);
    if (!file && fileInput.current) fileInput.current.value = '';
  };
  const pick = (file: File | null) => {
    setFile(file);
    edit();
  };
  const submitFile = () => {
    if (!attachment?.check.ok) {
      setFileMissing(!attachment);
      fileInput.current?.focus();
      return;
    }
    const { kind: fileKind, mimeType } = attachment.check;
    const input: SendFileInput = { file: attachment.file, mimeType, ...fromOf(sender) };
    if (takesCaption(fileKind) && caption.trim()) input.caption = caption;
    if (fileKind === 'document') input.filename = Array.from(attachment.file.name).slice(0, 240).join('');
    sendFile.mutate(input, {
      // Not `pick`: that would reset the answer (this render's `edit` still sees a failed try).
      onSuccess: () => {
        setFile(null);
        setCaption('');
      },
    });
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (kind === 'file') {
      submitFile();
      return;
    }
    if (kind === 'template') {
      if (!template || templateDraftProblems(template).length > 0) {
        setTemplateChecked(true);
        return;
      }
      send.mutate(
        { template: templateOf(template), ...fromOf(sender) },
        {
          onSuccess: () => {
            setPicked(null);
            setTemplateChecked(false);
          },
        },
      );
      return;
    }
    send.mutate({ text, ...fromOf(sender) }, { onSuccess: () => setText('') });
  };
  const missing = kind === 'template' && templateChecked ? templateDraftProblems(template) : [];

  const fileName = attachment?.file.name ?? 'the file';
  const progress = sendFile.phase === 'uploading' ? `Uploading “${fileName}”…` : sendFile.phase === 'sending' ? 'Sending…' : null;
  return (
    <form className="composer__form" noValidate onSubmit={submit} aria-busy={active.isPending || undefined}>
      <fieldset className="composer__fields" disabled={locked}>
        {open ? (
          <ChoiceGroup
            legend="Message type"
            name="whatsappKind"
            value={mode}
            onChange={(value) => {
              setMode(value);
              edit();
            }}
            choices={[
              { value: 'text', label: 'Free-form text' },
              { value: 'file', label: 'Photo or file' },
              { value: 'template', label: 'Template' },
            ]}
          />
        ) : null}
        {kind === 'text' || !open ? (
          <TextArea
            label="Message"
            name="text"
            rows={4}
            value={open ? text : ''}
            disabled={!open}
            onChange={(e) => {
              setText(e.target.value);
              edit();
            }}
            hint={
              open ? (
                `${characters(text)} / ${WHATSAPP_TEXT_LIMIT} characters · window closes at ${formatTime(whatsappWindow.expiresAt)}`
              ) : (
                <>
                  <strong>Free-form text is not possible now:</strong> the 24-hour window is closed, because{' '}
                  {contact.name ?? 'the contact'} has not written in the last 24 hours. Send an approved template
                  instead; a reply from them opens the window again.
                </>
              )
            }
          />
        ) : null}
        {kind === 'file' ? (
          <FileFields
            attachment={attachment}
            onPick={pick}
            caption={caption}
            onCaption={(value) => {
              setCaption(value);
              edit();
            }}
            missing={fileMissing}
            inputRef={fileInput}
          />
        ) : null}
        {kind === 'template' ? (
          <div className="composer__template">
            <TemplatePicker
              sender={sender.senderId}
              contact={contact}
              value={template?.message ?? null}
              showErrors={templateChecked}
              onChange={(message, entry) => {
                setPicked(message && entry ? { message, entry, senderId: sender.senderId } : null);
                edit();
              }}
            />
            {missing.length > 0 ? (
              <p className="field__error" role="alert">
                Not sent yet: {missing.join(' ')}
              </p>
            ) : null}
          </div>
        ) : null}
        <FromLine id={fromId} sender={sender} />
        <SendOutcome send={active} channel="whatsapp" contact={contact} progress={kind === 'file' ? progress : null} />
        <SendButton
          pending={active.isPending}
          pendingLabel={sendFile.phase === 'uploading' && kind === 'file' ? 'Uploading…' : 'Sending…'}
          describedBy={sender.line ? fromId : undefined}
        >
          {kind === 'template' ? 'Send template' : kind === 'file' ? 'Send file' : 'Send'}
        </SendButton>
      </fieldset>
    </form>
  );
}

function SmsForm({ contact, locked, sender }: FormProps) {
  const fromId = useId();
  const send = useSendSms(contact.contactId);
  const [text, setText] = useState('');
  const count = smsSegments(text);
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    send.mutate({ text, ...fromOf(sender) }, { onSuccess: () => setText('') });
  };
  return (
    <form className="composer__form" noValidate onSubmit={submit} aria-busy={send.isPending || undefined}>
      <fieldset className="composer__fields" disabled={locked}>
        <TextArea
          label="Message"
          name="text"
          rows={4}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (send.error || send.data) send.reset();
          }}
          hint={
            <>
              <span className="sms-count" data-testid="sms-count">
                {count.segments === 1 ? '1 segment' : `${count.segments} segments`} · {count.units} {count.encoding}{' '}
                characters ({count.perSegment} per segment)
              </span>
              {count.encoding === 'UCS-2' ? (
                <span className="sms-count__note">
                  {' '}
                  A character outside the GSM-7 alphabet (such as an emoji) makes the whole message UCS-2.
                </span>
              ) : null}
              {characters(text) > SMS_TEXT_LIMIT ? (
                <span className="sms-count__note"> Longer than the {SMS_TEXT_LIMIT} characters an SMS may have.</span>
              ) : null}
            </>
          }
        />
        <FromLine id={fromId} sender={sender} />
        <SendOutcome send={send} channel="sms" contact={contact} />
        <SendButton pending={send.isPending} describedBy={sender.line ? fromId : undefined}>
          Send
        </SendButton>
      </fieldset>
    </form>
  );
}

function EmailForm({ contact, locked, sender }: FormProps) {
  const fromId = useId();
  const send = useSendEmail(contact.contactId);
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [html, setHtml] = useState('');
  const edit = () => {
    if (send.error || send.data) send.reset();
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    send.mutate(
      { subject, ...(text.trim() ? { text } : {}), ...(html.trim() ? { html } : {}), ...fromOf(sender) },
      {
        onSuccess: () => {
          setSubject('');
          setText('');
          setHtml('');
        },
      },
    );
  };
  return (
    <form className="composer__form" noValidate onSubmit={submit} aria-busy={send.isPending || undefined}>
      <fieldset className="composer__fields" disabled={locked}>
        <TextField
          label="Subject"
          name="subject"
          autoComplete="off"
          value={subject}
          onChange={(e) => {
            setSubject(e.target.value);
            edit();
          }}
        />
        <TextArea
          label="Text"
          name="text"
          rows={5}
          value={text}
          hint="Send a plain-text body, an HTML body, or both."
          onChange={(e) => {
            setText(e.target.value);
            edit();
          }}
        />
        <TextArea
          label="HTML (optional)"
          name="html"
          rows={3}
          value={html}
          className="composer__html"
          onChange={(e) => {
            setHtml(e.target.value);
            edit();
          }}
        />
        <FromLine id={fromId} sender={sender} />
        <SendOutcome send={send} channel="email" contact={contact} />
        <SendButton pending={send.isPending} describedBy={sender.line ? fromId : undefined}>
          Send
        </SendButton>
      </fieldset>
    </form>
  );
}

/** Why a channel cannot be sent on when the organisation has no sender for it. */
export const NO_SENDER: Record<Channel, string> = {
  whatsapp: 'No WhatsApp number is configured for your organisation; ask an Admin to add one.',
  sms: 'No SMS number or sender is configured for your organisation; ask an Admin to add one.',
  email: 'No email sender address is configured for your organisation; ask an Admin to add one.',
};

const senderNoun: Record<Channel, string> = { whatsapp: 'WhatsApp number', sms: 'SMS sender', email: 'email sender' };

/** Where the organisation's senders stand for one channel, and which of them is chosen. */
type ChannelSenders =
  /** The list could not be loaded: the API's default is used. */
  | { state: 'unavailable' }
  | { state: 'none' }
  | { state: 'chosen'; chosen: Sender; choices: Sender[] };

function channelSenders(senders: readonly Sender[] | undefined, channel: Channel, picked: string | undefined): ChannelSenders {
  if (!senders) return { state: 'unavailable' };
  const choices = sendersOn(senders, channel);
  const chosen = choices.find((s) => s.senderId === picked) ?? choices[0];
  return chosen ? { state: 'chosen', chosen, choices } : { state: 'none' };
}

function senderChoice(channel: Channel, senders: ChannelSenders): SenderChoice {
  switch (senders.state) {
    case 'chosen':
      return { senderId: senders.chosen.senderId, line: `From ${senders.chosen.label.trim() || senders.chosen.senderId}` };
    case 'unavailable':
      return { senderId: undefined, line: `From your organisation’s default ${senderNoun[channel]}` };
    case 'none':
      return { senderId: undefined, line: null };
  }
}

/**
 * Which sender the message goes from: a select when the organisation has several for the channel
 * (one is said next to the Send button in any case), why nothing can be sent when it has none,
 * and what happens when the list could not be loaded.
 */
function SenderPicker({
  channel,
  senders,
  onPick,
  onRetry,
  retrying,
}: {
  channel: Channel;
  senders: ChannelSenders;
  onPick: (senderId: string) => void;
  onRetry: () => void;
  retrying: boolean;
}) {
  if (senders.state === 'none') return <Alert tone="info">{NO_SENDER[channel]}</Alert>;
  if (senders.state === 'unavailable') {
    return (
      <div className="composer__senders-error">
        <p>
          Your organisation’s senders could not be loaded, so the message will go from its default {senderNoun[channel]}. To
          choose another, try loading them again.
        </p>
        <Button variant="secondary" onClick={onRetry} busy={retrying}>
          {retrying ? 'Loading…' : 'Load senders again'}
        </Button>
      </div>
    );
  }
  if (senders.choices.length < 2) return null;
  return (
    <SelectField
      label="From"
      name={`${channel}From`}
      className="composer__sender"
      value={senders.chosen.senderId}
      onChange={(e) => onPick(e.target.value)}
      options={senders.choices.map((s) => ({
        value: s.senderId,
        label: `${s.label.trim() || s.senderId}${s.default === true ? ' (default)' : ''}`,
      }))}
    />
  );
}

function ComposerSkeleton() {
  return (
    <div className="composer__skeleton" aria-hidden="true">
      <Skeleton width="16em" height="2.75rem" />
      <Skeleton height="6.5rem" />
      <Skeleton width="6em" height="2.75rem" />
    </div>
  );
}

export interface ComposerProps {
  contact: ConversationContact;
  whatsappWindow: ConversationWindow;
  /** The channel to start on (the conversation's latest), when the contact has it. */
  defaultChannel?: Channel | undefined;
  now: number;
}

export function Composer({ contact, whatsappWindow, defaultChannel, now }: ComposerProps) {
  const available = channelsOf(contact);
  const senders = useSenders();
  const [picked, setPicked] = useState<Channel | null>(null);
  // The starting channel is fixed once shown: a message arriving on another channel must not
  // swap the form (and lose the draft) under the writer.
  const [initial] = useState(defaultChannel);
  const [pickedSenders, setPickedSenders] = useState<Partial<Record<Channel, string>>>({});
  const channel = [picked, initial].find((c): c is Channel => !!c && available.includes(c)) ?? available[0];
  const contactPage = `/contacts/${encodeURIComponent(contact.contactId)}`;

  const body = () => {
    if (!channel) {
      return (
        <Alert tone="info">
          This contact has no phone number or email address to write to. <Link to={`${contactPage}/edit`}>Add one</Link>
        </Alert>
      );
    }
    // Until the senders are known, nothing says where a message would go from.
    if (senders.isPending) return <ComposerSkeleton />;
    const onChannel = channelSenders(senders.data, channel, pickedSenders[channel]);
    const sender = senderChoice(channel, onChannel);
    const optedIn = contact[optInField[channel]];
    const locked = !optedIn || onChannel.state === 'none';
    return (
      <>
        <ChoiceGroup
          legend="Channel"
          name="channel"
          value={channel}
          onChange={setPicked}
          choices={available.map((c) => ({
            value: c,
            label: channelName[c],
            icon: <ChannelIcon channel={c} decorative />,
          }))}
        />
        {optedIn ? null : (
          <Alert tone="info">
            {contact.name ?? 'This contact'} has not opted in to {channelName[channel]} messages, so nothing can be sent on
            this channel. <Link to={contactPage}>Record their consent on the contact’s page</Link>.
          </Alert>
        )}
        <SenderPicker
          channel={channel}
          senders={onChannel}
          onPick={(senderId) => setPickedSenders((current) => ({ ...current, [channel]: senderId }))}
          onRetry={() => void senders.refetch()}
          retrying={senders.isFetching}
        />
        {channel === 'whatsapp' ? (
          <WhatsAppForm contact={contact} locked={locked} sender={sender} whatsappWindow={whatsappWindow} now={now} />
        ) : channel === 'sms' ? (
          <SmsForm contact={contact} locked={locked} sender={sender} />
        ) : (
          <EmailForm contact={contact} locked={locked} sender={sender} />
        )}
      </>
    );
  };

  return (
    <section className="composer" aria-labelledby="composer-heading">
      <h2 id="composer-heading" className="composer__title">
        New message
      </h2>
      {body()}
    </section>
  );
}
