// The contacts feature's cached copies, as other features must see them: a feature that changes
// a contact through the API (the conversation records an opt-out) has the contacts pages read
// it again, or they would show the old consent until their cache went stale. Features do not
// import each other, so the contacts feature's root key lives here and its `contactKeys` build on it.
import type { QueryClient } from '@tanstack/react-query';

/** The first element of every query key of the contacts feature. */
export const CONTACTS_KEY = ['contacts'] as const;

/** After a contact changed elsewhere: every contacts list and page reads it again when shown. */
export async function contactsChanged(queryClient: QueryClient): Promise<void> {
  await queryClient.invalidateQueries({ queryKey: CONTACTS_KEY });
}
