// The inbox's rows: channel, who, the last message (with its delivery ticks when the business sent
// it), unread count and the WhatsApp window.
import { Link } from 'react-router';
import { ChannelIcon, channelName } from '@/components/ChannelIcon';
import { MessageStatus } from '@/components/MessageStatus';
import { Skeleton } from '@/components/Skeleton';
import { ApiError } from '@/lib/api-error';
import { formatDateTime, formatWhen } from '@/utils/format';
import { windowState } from '@/utils/window';
import type { Conversation } from '../api/conversation';
import { useInboxContact } from '../api/get-contact';
import { contactName, messageAddress, messagePreview } from './inbox-text';

const SKELETON_ROWS = 6;

export function ConversationListSkeleton() {
  return (
    <ul className="inbox-list" aria-hidden="true">
      {Array.from({ length: SKELETON_ROWS }, (_, i) => (
        <li key={i} className="inbox-row inbox-row--skeleton">
          <Skeleton className="inbox-row__channel" width="20px" height="20px" />
          <span className="inbox-row__main">
            <span className="inbox-row__line">
              <Skeleton width={`${35 + ((i * 17) % 30)}%`} height="1.1em" />
            </span>
            <span className="inbox-row__line">
              <Skeleton width="9em" height="0.9em" />
            </span>
            <span className="inbox-row__line">
              <Skeleton width={`${50 + ((i * 13) % 35)}%`} height="0.9em" />
            </span>
            <span className="inbox-row__line">
              <Skeleton width="13em" height="0.85em" />
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function Row({ conversation, now }: { conversation: Conversation; now: number }) {
  const { lastMessage: message, unreadCount } = conversation;
  const contact = useInboxContact(conversation.contactId);
  const address = messageAddress(message);
  const deleted = contact.error instanceof ApiError && contact.error.code === 'NOT_FOUND';
  const details = contact.data ? [contact.data.phone, contact.data.email].filter(Boolean).join(' · ') || '—' : null;
  const whatsappWindow = windowState(conversation.windowExpiresAt, now);
  return (
    <li>
      <Link className="inbox-row" to={`/conversations/${encodeURIComponent(conversation.contactId)}`}>
        <ChannelIcon channel={message.channel} className="inbox-row__channel" />
        <span className="inbox-row__main">
          <span className="inbox-row__line inbox-row__top">
            <span className="inbox-row__name">{contact.data ? contactName(contact.data) : address}</span>
            <time className="inbox-row__time" dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
              {formatWhen(message.createdAt, now)}
            </time>
          </span>
          <span className="inbox-row__line inbox-row__address">
            {deleted ? 'Deleted contact' : (details ?? (contact.isPending ? <Skeleton width="9em" height="0.9em" /> : address))}
          </span>
          <span className="inbox-row__line inbox-row__last">
            <span className="inbox-row__preview">
              <span className="visually-hidden">Last message by {channelName[message.channel]}: </span>
              {message.direction === 'outbound' ? (
                <>
                  <MessageStatus message={message} className="inbox-row__status" />
                  <span className="visually-hidden">. </span>
                </>
              ) : null}
              {messagePreview(message)}
            </span>
            {unreadCount > 0 ? (
              <span className="badge inbox-row__unread">
                {unreadCount}
                <span className="visually-hidden"> unread</span>
              </span>
            ) : null}
          </span>
          <span className={`inbox-row__line inbox-row__window${whatsappWindow.open ? ' inbox-row__window--open' : ''}`}>
            WhatsApp window {whatsappWindow.text}
          </span>
        </span>
      </Link>
    </li>
  );
}

export function ConversationList({ conversations, now }: { conversations: Conversation[]; now: number }) {
  return (
    <ul className="inbox-list" aria-label="Conversations, latest first">
      {conversations.map((conversation) => (
        <Row key={conversation.contactId} conversation={conversation} now={now} />
      ))}
    </ul>
  );
}
