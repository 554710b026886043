import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { Skeleton } from '@/components/Skeleton';
import { describeError } from '@/lib/api-error';
import { channels, optInField, type Contact } from '../api/contact';
import { channelLabel, displayName } from './contact-text';

export interface ContactListProps {
  contacts: Contact[] | undefined;
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  /** The search being shown, or '' for the newest contacts. */
  search: string;
  emptyHint?: string;
}

const SKELETON_ROWS = 8;

export function ContactListSkeleton() {
  return (
    <ul className="contact-list" aria-hidden="true">
      {Array.from({ length: SKELETON_ROWS }, (_, i) => (
        <li key={i} className="contact-row contact-row--skeleton">
          <span className="contact-row__main">
            <Skeleton width={`${40 + ((i * 17) % 35)}%`} height="1.1em" />
            <Skeleton width={`${55 + ((i * 13) % 30)}%`} height="0.9em" />
          </span>
        </li>
      ))}
    </ul>
  );
}

function OptIns({ contact }: { contact: Contact }) {
  const on = channels.filter((channel) => contact[optInField[channel]]);
  if (on.length === 0) return <span className="contact-row__optins contact-row__optins--none">No opt-ins</span>;
  return (
    <span className="contact-row__optins">
      <span className="visually-hidden">Opted in: </span>
      {on.map((channel) => (
        <span key={channel} className="chip">
          {channelLabel[channel]}
        </span>
      ))}
    </span>
  );
}

/** Loads the next page when the end of the list scrolls into view (the button does it too). */
function useLoadMoreOnScroll(enabled: boolean, load: () => void) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (!enabled || !element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && load(), {
      rootMargin: '300px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled, load]);
  return sentinel;
}

export function ContactList(props: ContactListProps) {
  const { contacts, isPending, error, onRetry, hasNextPage, isFetchingNextPage, fetchNextPage, search, emptyHint } = props;
  const sentinel = useLoadMoreOnScroll(hasNextPage && !isFetchingNextPage, fetchNextPage);

  if (isPending) return <ContactListSkeleton />;
  if (error && !contacts) {
    return (
      <Alert title="The contacts could not be loaded.">
        <p>{describeError(error)}</p>
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      </Alert>
    );
  }
  if (!contacts || contacts.length === 0) {
    return (
      <div className="empty">
        <p>{search ? `No contacts match “${search}”.` : 'No contacts yet.'}</p>
        {!search && emptyHint ? <p className="muted">{emptyHint}</p> : null}
      </div>
    );
  }
  return (
    <>
      <ul className="contact-list" aria-label={search ? `Contacts matching ${search}` : 'Contacts, newest first'}>
        {contacts.map((contact) => (
          <li key={contact.contactId}>
            <Link className="contact-row" to={`/contacts/${encodeURIComponent(contact.contactId)}`}>
              <span className="contact-row__main">
                <span className="contact-row__name">{displayName(contact)}</span>
                <span className="contact-row__details">
                  {[contact.phone, contact.email].filter(Boolean).join(' · ') || '—'}
                </span>
              </span>
              <OptIns contact={contact} />
            </Link>
          </li>
        ))}
      </ul>
      {hasNextPage ? (
        <div className="load-more" ref={sentinel}>
          <Button variant="secondary" onClick={fetchNextPage} busy={isFetchingNextPage}>
            {isFetchingNextPage ? 'Loading…' : 'Load more'}
          </Button>
        </div>
      ) : null}
      {error ? <Alert>{describeError(error)}</Alert> : null}
    </>
  );
}
