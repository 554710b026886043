// The Users page, mounted by the app under the signed-in shell and loaded when first opened (its
// own chunk), so the pages everyone uses do not pay for it.
import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const UsersPage = lazy(() => import('./components/UsersPage').then((m) => ({ default: m.UsersPage })));

function Loading() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="8em" height="2rem" />
      </div>
      <Skeleton height="2.75rem" />
    </div>
  );
}

export const usersRoutes: RouteObject[] = [
  {
    path: 'users',
    element: (
      <Suspense fallback={<Loading />}>
        <UsersPage />
      </Suspense>
    ),
  },
];
