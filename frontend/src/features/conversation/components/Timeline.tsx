// The conversation's messages, oldest at the top and newest at the bottom, in a scrolling box
// that starts at the newest, follows new messages while the reader is at the bottom, and keeps
// its place when older ones are loaded above. An outbound message says which of the
// organisation's senders it went from, and how its delivery stands.
import { Fragment, useLayoutEffect, useRef } from 'react';
import { Button } from '@/components/Button';
import { ChannelIcon } from '@/components/ChannelIcon';
import { MessageStatus } from '@/components/MessageStatus';
import { Skeleton } from '@/components/Skeleton';
import { senderName, type Sender } from '@/lib/senders';
import { formatBytes, formatDateTime, formatTime } from '@/utils/format';
import { failureReason, UNKNOWN_DELIVERY_DETAIL, UNKNOWN_DELIVERY_LABEL } from '@/utils/message-status';
import { mediaOf, type Message } from '../api/message';
import { detailNotes, htmlToText, isImage, mediaKind } from './message-text';

/** How close to the bottom (px) still counts as "reading the newest". */
const FOLLOW_THRESHOLD = 80;

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });

function dayOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dayFormat.format(date);
}

function MediaView({ message, sender }: { message: Message; sender: string }) {
  const media = mediaOf(message);
  if (!media) return null;
  const kind = mediaKind(message, media);
  const facts = [media.mimeType, media.size != null ? formatBytes(media.size) : null].filter(Boolean).join(', ');
  if (!media.url) {
    return (
      <p className="bubble__media bubble__media--missing">
        {kind} · media not available{facts ? ` (${facts})` : ''}
      </p>
    );
  }
  if (isImage(media)) {
    return (
      <img
        className="bubble__image"
        src={media.url}
        alt={message.text ? `${kind} from ${sender}: ${message.text}` : `${kind} from ${sender}`}
        loading="lazy"
      />
    );
  }
  return (
    <p className="bubble__media">
      <a href={media.url} download={media.filename ?? true} rel="noopener noreferrer">
        Download {kind.toLowerCase()}
        {media.filename ? ` “${media.filename}”` : ''}
      </a>
      {facts ? <span className="muted"> ({facts})</span> : null}
    </p>
  );
}

function Bubble({ message, contactName, senders }: { message: Message; contactName: string; senders: readonly Sender[] | undefined }) {
  const outbound = message.direction === 'outbound';
  const sender = outbound ? 'you' : contactName;
  const failed = outbound && message.status === 'failed';
  const unknown = outbound && message.status === 'unknown';
  const reason = failed ? failureReason(message.error) : '';
  const body = message.text ?? (message.html ? htmlToText(message.html) : undefined);
  const state = failed ? ' bubble--failed' : unknown ? ' bubble--unknown' : '';
  return (
    <li className={`bubble bubble--${message.direction}${state}`}>
      <span className="visually-hidden">{outbound ? 'You sent' : `${contactName} wrote`}: </span>
      {message.subject ? <p className="bubble__subject">{message.subject}</p> : null}
      {message.template ? (
        <p className="bubble__template">
          Template <strong>{message.template.name}</strong> ({message.template.language})
          {message.template.parameters?.length ? ` · ${message.template.parameters.join(' · ')}` : ''}
        </p>
      ) : null}
      <MediaView message={message} sender={sender} />
      {body ? <p className="bubble__text">{body}</p> : null}
      {detailNotes(message).map((note) => (
        <p key={note} className="bubble__note">
          {note}
        </p>
      ))}
      {failed && reason ? (
        <p className="bubble__error">
          Not delivered: {message.error?.message.trim() || 'the provider refused it'}
          {message.error?.code.trim() ? ` (provider code ${message.error.code.trim()})` : ''}
        </p>
      ) : null}
      {unknown ? (
        <p className="bubble__warning">
          <strong>{UNKNOWN_DELIVERY_LABEL}.</strong> {UNKNOWN_DELIVERY_DETAIL}
        </p>
      ) : null}
      <p className="bubble__meta">
        <ChannelIcon channel={message.channel} className="bubble__channel" />
        {outbound && message.from ? <span className="bubble__from">from {senderName(senders, message.from)}</span> : null}
        {message.segments && message.segments > 1 ? <span>{message.segments} segments</span> : null}
        <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
          {formatTime(message.createdAt)}
        </time>
        <MessageStatus message={message} />
      </p>
    </li>
  );
}

export function TimelineSkeleton() {
  return (
    <div className="timeline timeline--skeleton" aria-hidden="true">
      {[60, 40, 70, 35].map((width, i) => (
        <div key={i} className={`bubble bubble--${i % 2 ? 'outbound' : 'inbound'} bubble--skeleton`}>
          <Skeleton width={`${width * 4}px`} height="1em" />
          <Skeleton width="4em" height="0.8em" />
        </div>
      ))}
    </div>
  );
}

export interface TimelineProps {
  /** Oldest first. */
  messages: Message[];
  contactName: string;
  /** The organisation's senders, to name the one a message went from (its id until they load). */
  senders: readonly Sender[] | undefined;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
}

export function Timeline({ messages, contactName, senders, hasOlder, loadingOlder, onLoadOlder }: TimelineProps) {
  const box = useRef<HTMLOListElement>(null);
  const oldest = messages[0]?.messageId;
  const newest = messages.at(-1)?.messageId;
  const seen = useRef<{ oldest: string | undefined; newest: string | undefined; height: number; atBottom: boolean }>({ oldest: undefined, newest: undefined, height: 0, atBottom: true });

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    const before = seen.current;
    if (before.newest !== newest && before.atBottom) {
      // First render, or a new message while reading the newest: follow it.
      element.scrollTop = element.scrollHeight;
    } else if (before.oldest !== oldest && before.newest === newest) {
      // Older messages came in above: stay on what was on screen.
      element.scrollTop += element.scrollHeight - before.height;
    }
    seen.current = { oldest, newest, height: element.scrollHeight, atBottom: before.atBottom };
  }, [oldest, newest]);

  const onScroll = () => {
    const element = box.current;
    if (!element) return;
    seen.current.atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_THRESHOLD;
    seen.current.height = element.scrollHeight;
  };

  const days = messages.map((m) => dayOf(m.createdAt));
  return (
    <section className="timeline-panel" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading" className="visually-hidden">
        Messages
      </h2>
      {hasOlder ? (
        <div className="timeline__older">
          <Button variant="secondary" onClick={onLoadOlder} busy={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older messages'}
          </Button>
        </div>
      ) : null}
      {messages.length === 0 ? (
        <div className="timeline timeline--empty">
          <p>No messages yet.</p>
        </div>
      ) : (
        <ol ref={box} className="timeline" tabIndex={0} aria-label="Messages, oldest first" onScroll={onScroll}>
          {messages.map((message, i) => {
            const day = days[i] ?? '';
            const showDay = i === 0 || day !== days[i - 1];
            return (
              <Fragment key={message.messageId}>
                {showDay ? (
                  <li className="timeline__day">{day}</li>
                ) : null}
                <Bubble message={message} contactName={contactName} senders={senders} />
              </Fragment>
            );
          })}
        </ol>
      )}
    </section>
  );
}
