import { useCallback, useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { ButtonLink } from '@/components/Button';
import { PageHeader } from '@/components/PageHeader';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { useFlashNotice } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { useCan } from '@/lib/authorization';
import { useContacts } from '../api/get-contacts';
import { useSearchContacts } from '../api/search-contacts';
import { ContactList } from './ContactList';

export const SEARCH_DEBOUNCE_MS = 300;

/** The contacts list: newest first, or the matches of a search typed in the box. */
export function ContactsPage() {
  usePageTitle('Contacts');
  const canWrite = useCan('writeContacts');
  const notice = useFlashNotice();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(() => params.get('q') ?? '');
  const q = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const searchId = useId();

  // Keep the search in the address, so Back and reload return to it.
  useEffect(() => {
    if ((params.get('q') ?? '') === q) return;
    setParams(q ? { q } : {}, { replace: true });
  }, [q, params, setParams]);

  const newest = useContacts({ enabled: q === '' });
  const search = useSearchContacts(q);
  // Until the first results arrive, keep the list on screen rather than a skeleton.
  const active = q === '' || (search.isPending && newest.data) ? newest : search;
  const shownSearch = active === search ? q : '';
  const { fetchNextPage, refetch } = active;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const contacts = active.data?.pages.flatMap((page) => page.items);
  const searching = text.trim() !== q || (q !== '' && search.isFetching && !search.isFetchingNextPage);

  return (
    <>
      <PageHeader
        title="Contacts"
        actions={canWrite ? <ButtonLink to="/contacts/new">New contact</ButtonLink> : null}
      >
        <div className="search" role="search">
          <label htmlFor={searchId} className="visually-hidden">
            Search contacts
          </label>
          <input
            id={searchId}
            className="search__input"
            type="search"
            placeholder="Search by name, email or phone"
            autoComplete="off"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </div>
      </PageHeader>
      <p className="list-status" aria-live="polite">
        {searching ? 'Searching…' : contacts && shownSearch ? `${contacts.length}${active.hasNextPage ? '+' : ''} found` : ''}
      </p>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      <ContactList
        contacts={contacts}
        isPending={active.isPending}
        error={active.error}
        onRetry={() => void refetch()}
        hasNextPage={active.hasNextPage}
        isFetchingNextPage={active.isFetchingNextPage}
        fetchNextPage={loadMore}
        search={shownSearch}
        {...(canWrite ? { emptyHint: 'Create the first one with “New contact”.' } : {})}
      />
    </>
  );
}
