// One contact's conversation on every channel: the timeline (polled, so new messages and
// delivery statuses appear by themselves), the WhatsApp window, the AI reply drafts for those who
// use the assistant, the question whether a message was an opt-out request for those who may
// change consent, and the composer for those who may send. Opening it, and new messages arriving
// while it is on screen, mark it read.
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button, ButtonLink } from '@/components/Button';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import { useNow } from '@/hooks/use-now';
import { usePageTitle } from '@/hooks/use-page-title';
import { ApiError, describeError } from '@/lib/api-error';
import { useCan, useCurrentUser } from '@/lib/authorization';
import { useSenders } from '@/lib/senders';
import { contactDisplayName as displayName } from '@/lib/contact-name';
import { formatDateTime } from '@/utils/format';
import { windowState } from '@/utils/window';
import { useConversationContact } from '../api/get-contact';
import { useSuggestions } from '../api/get-suggestions';
import { useTimeline } from '../api/get-timeline';
import type { ConversationWindow, Message } from '../api/message';
import { Composer } from './Composer';
import { optOutCandidate } from './opt-out';
import { OptOutNotice } from './OptOutNotice';
import { SuggestionsPanel } from './SuggestionsPanel';
import { Timeline, TimelineSkeleton } from './Timeline';
import { useMarkReadWhileOpen } from './use-mark-read';

function BackLink() {
  return (
    <Link className="back-link" to="/inbox">
      ← Inbox
    </Link>
  );
}


function WindowNotice({ whatsappWindow, now }: { whatsappWindow: ConversationWindow; now: number }) {
  const expiresAt = whatsappWindow.state === 'open' ? whatsappWindow.expiresAt : null;
  const state = windowState(expiresAt, now);
  return (
    <p className={`window-notice${state.open ? ' window-notice--open' : ''}`}>
      <span className="window-notice__label">WhatsApp window {state.text}</span>
      {expiresAt && state.open ? (
        <span className="window-notice__detail">
          {' '}
          · free-form messages until <time dateTime={expiresAt}>{formatDateTime(expiresAt)}</time>
        </span>
      ) : (
        <span className="window-notice__detail"> · only approved templates can be sent on WhatsApp</span>
      )}
    </p>
  );
}

function PageSkeleton({ withComposer }: { withComposer: boolean }) {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <div className="page-header__row">
          <Skeleton width="14em" height="2rem" />
        </div>
        <Skeleton width="10em" height="1em" />
      </div>
      <p className="window-notice">
        <Skeleton width="18em" height="1em" />
      </p>
      <TimelineSkeleton />
      {withComposer ? (
        <div className="composer">
          <Skeleton width="8em" height="1.4em" />
          <Skeleton height="2.75rem" />
          <Skeleton height="6.5rem" />
        </div>
      ) : null}
    </div>
  );
}

/** Timeline pages are newest first: flatten, drop repeats (pages shift as messages arrive), flip. */
function oldestFirst(pages: { items: Message[] }[] | undefined): Message[] {
  const seen = new Set<string>();
  const messages: Message[] = [];
  for (const message of pages?.flatMap((page) => page.items) ?? []) {
    if (seen.has(message.messageId)) continue;
    seen.add(message.messageId);
    messages.push(message);
  }
  return messages.reverse();
}

export function ConversationPage() {
  const { contactId = '' } = useParams();
  const canSend = useCan('sendMessages');
  // Viewers do not see drafts: they could not act on them, and what is sent is in the timeline.
  const canUseAi = useCan('useAi');
  const canWriteContacts = useCan('writeContacts');
  // Suggestions name people by email (as the audit trail does), so that is what "you" is matched by.
  const { email: userId } = useCurrentUser();
  const contact = useConversationContact(contactId);
  const timeline = useTimeline(contactId);
  const suggestions = useSuggestions(contactId, canUseAi);
  // Started with the page (the composer waits for them); the timeline names senders once known.
  const senders = useSenders();
  const now = useNow(15_000);
  const messages = useMemo(() => oldestFirst(timeline.data?.pages), [timeline.data]);
  useMarkReadWhileOpen(contactId, timeline.data ? messages : undefined);
  usePageTitle(contact.data ? `Conversation with ${displayName(contact.data)}` : 'Conversation');

  const error = contact.data ? (timeline.data ? null : timeline.error) : contact.error;
  if (error) {
    const notFound = error instanceof ApiError && error.code === 'NOT_FOUND';
    return (
      <>
        <BackLink />
        <PageHeader title={notFound ? 'Contact not found' : 'Conversation'} />
        <Alert tone={notFound ? 'info' : 'error'} {...(notFound ? {} : { title: 'The conversation could not be loaded.' })}>
          <p>{notFound ? 'This contact does not exist or was deleted.' : describeError(error)}</p>
          {notFound ? null : (
            <Button
              variant="secondary"
              onClick={() => {
                void contact.refetch();
                void timeline.refetch();
              }}
            >
              Try again
            </Button>
          )}
        </Alert>
      </>
    );
  }
  if (!contact.data || !timeline.data) {
    return (
      <>
        <BackLink />
        <PageSkeleton withComposer={canSend} />
      </>
    );
  }

  const person = contact.data;
  const name = displayName(person);
  const whatsappWindow = timeline.data.pages[0]?.window ?? { state: 'closed' as const };
  const newestDraft = suggestions.data?.pages[0]?.items[0];
  const addresses = [person.phone ?? (person.whatsappUserId && `WhatsApp user ${person.whatsappUserId}`), person.email]
    .filter(Boolean)
    .join(' · ');

  return (
    <>
      <BackLink />
      <PageHeader
        title={name}
        actions={
          <ButtonLink variant="secondary" to={`/contacts/${encodeURIComponent(person.contactId)}`}>
            Contact details
          </ButtonLink>
        }
      >
        {addresses && addresses !== name ? <p className="muted conversation__addresses">{addresses}</p> : null}
      </PageHeader>
      <WindowNotice whatsappWindow={whatsappWindow} now={now} />
      {timeline.isRefetchError ? (
        <Alert tone="info">The conversation could not be refreshed: {describeError(timeline.error)} It will try again.</Alert>
      ) : null}
      <Timeline
        messages={messages}
        contactName={name}
        senders={senders.data}
        hasOlder={timeline.hasNextPage}
        loadingOlder={timeline.isFetchingNextPage}
        onLoadOlder={() => void timeline.fetchNextPage()}
      />
      {canWriteContacts ? <OptOutNotice contact={person} contactName={name} candidate={optOutCandidate(messages, newestDraft)} /> : null}
      {canUseAi ? <SuggestionsPanel contactId={contactId} contactName={name} userId={userId} suggestions={suggestions} /> : null}
      {canSend ? (
        <Composer contact={person} whatsappWindow={whatsappWindow} defaultChannel={messages.at(-1)?.channel} now={now} />
      ) : (
        <p className="muted composer-none">Your role can read conversations but not send messages.</p>
      )}
    </>
  );
}
