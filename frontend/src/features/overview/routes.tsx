// The overview, mounted by the app under the signed-in shell. Loaded when first opened (its own
// chunk, the chart library included), so the pages that do not draw charts do not pay for it.
import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const OverviewPage = lazy(() => import('./components/OverviewPage').then((m) => ({ default: m.OverviewPage })));

function Loading() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="10em" height="2rem" />
      </div>
      <Skeleton height="16rem" />
    </div>
  );
}

export const overviewRoutes: RouteObject[] = [
  {
    path: 'overview',
    element: (
      <Suspense fallback={<Loading />}>
        <OverviewPage />
      </Suspense>
    ),
  },
];
