// The Failed messages page, mounted by the app under the signed-in shell. Loaded when first opened
// (its own chunk), so the pages every operator uses do not pay for an Admin's tool.
import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const FailedMessagesPage = lazy(() => import('./components/FailedMessagesPage').then((m) => ({ default: m.FailedMessagesPage })));

function Loading() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="12em" height="2rem" />
      </div>
      <Skeleton height="2.75rem" />
    </div>
  );
}

export const dlqRoutes: RouteObject[] = [
  {
    path: 'failed-messages',
    element: (
      <Suspense fallback={<Loading />}>
        <FailedMessagesPage />
      </Suspense>
    ),
  },
];
