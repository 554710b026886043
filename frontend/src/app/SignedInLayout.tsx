// Every page behind sign-in: no session → the sign-in page (then back here); with one, `/api/me`
// says who this is, which fills the sidebar and tells the pages what the role may do, and whether
// the deployment only records messages (the dry-run banner, for every role).
import { Navigate, Outlet, useLocation } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { AppShell } from '@/components/layout/AppShell';
import { DryRunBanner } from '@/components/layout/DryRunBanner';
import { Skeleton } from '@/components/Skeleton';
import { useMe } from '@/features/auth/api/get-me';
import { useSession, useSessionStore } from '@/features/auth/session-context';
import { describeError } from '@/lib/api-error';
import { CurrentUserProvider, hasPermission } from '@/lib/authorization';
import { destinations, visibleNavigation } from './navigation';

function PageSkeleton() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="10em" height="2rem" />
      </div>
      <Skeleton height="2.75rem" />
    </div>
  );
}

function SignedInShell() {
  const store = useSessionStore();
  const me = useMe();
  const signOut = () => store.signOut('signedOut');
  const user = me.data ?? null;

  return (
    <AppShell
      navigation={user ? visibleNavigation(destinations, (p) => hasPermission(user, p)) : null}
      user={user}
      onSignOut={signOut}
      banner={<DryRunBanner deployment={user?.deployment} />}
    >
      {user ? (
        <CurrentUserProvider user={user}>
          <Outlet />
        </CurrentUserProvider>
      ) : me.isError ? (
        <Alert title="Your account could not be loaded.">
          <p>{describeError(me.error)}</p>
          <p className="inline-actions">
            <Button variant="secondary" onClick={() => void me.refetch()}>
              Try again
            </Button>
            <Button variant="secondary" onClick={signOut}>
              Sign out
            </Button>
          </p>
        </Alert>
      ) : (
        <PageSkeleton />
      )}
    </AppShell>
  );
}

export function SignedInLayout() {
  const session = useSession();
  const location = useLocation();
  if (session.status !== 'signedIn') {
    return <Navigate to="/sign-in" replace state={{ from: location }} />;
  }
  return <SignedInShell />;
}
