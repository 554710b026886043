// Where "/" leads once signed in (and where signing in lands by default): the overview for those
// who run the messaging — Operators and Admins — and the contacts for a Viewer, who reads them.
import { Navigate } from 'react-router';
import { useCurrentUser } from '@/lib/authorization';

export function HomeRedirect() {
  const user = useCurrentUser();
  return <Navigate to={user.role === 'Viewer' ? '/contacts' : '/overview'} replace />;
}
