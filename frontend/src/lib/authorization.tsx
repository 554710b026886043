// Who is signed in and what they may do, for any feature to ask without importing `auth`.
//
// The app fills this from `/api/me`; the API enforces the same permissions, so hiding a control
// here is about not offering what would be refused, not about security.
import { createContext, useContext, type ReactNode } from 'react';

export type Role = 'Viewer' | 'Operator' | 'Admin';

/** The permissions the API reports in `/api/me` (it may add more). */
export type Permission =
  | 'readContacts'
  | 'writeContacts'
  | 'readMessages'
  | 'sendMessages'
  | 'manageBulk'
  | 'manageUsers'
  | 'manageConfig'
  | 'manageDlq'
  | 'readAudit'
  /** Ask the knowledge base; draft, approve, edit, reject and rate AI reply suggestions (Operator, Admin). */
  | 'useAi'
  /** Every AI interaction of the organisation, with the approval and feedback figures (Admin). */
  | 'reviewAi';

export interface CurrentUser {
  userId: string;
  email: string;
  role: Role;
  tenantId: string;
  permissions: readonly string[];
}

const CurrentUserContext = createContext<CurrentUser | null>(null);

export function CurrentUserProvider({ user, children }: { user: CurrentUser; children: ReactNode }) {
  return <CurrentUserContext value={user}>{children}</CurrentUserContext>;
}

export function useCurrentUser(): CurrentUser {
  const user = useContext(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser must be used below <CurrentUserProvider>');
  return user;
}

export function hasPermission(user: Pick<CurrentUser, 'permissions'>, permission: Permission): boolean {
  return user.permissions.includes(permission);
}

export function useCan(permission: Permission): boolean {
  return hasPermission(useCurrentUser(), permission);
}
