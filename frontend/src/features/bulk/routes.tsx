// The bulk messaging feature's pages, mounted by the app under the signed-in shell. They are loaded
// when first opened (their own chunk, charts included), so the contacts page and the inbox do not
// pay for them; a placeholder of the page's size shows meanwhile.
import { lazy, Suspense, type ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const BulkJobsPage = lazy(() => import('./components/BulkJobsPage').then((m) => ({ default: m.BulkJobsPage })));
const BulkJobPage = lazy(() => import('./components/BulkJobPage').then((m) => ({ default: m.BulkJobPage })));
const NewBulkJobPage = lazy(() => import('./components/NewBulkJobPage').then((m) => ({ default: m.NewBulkJobPage })));

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

const page = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

export const bulkRoutes: RouteObject[] = [
  {
    path: 'bulk',
    children: [
      { index: true, element: page(<BulkJobsPage />) },
      { path: 'new', element: page(<NewBulkJobPage />) },
      { path: ':jobId', element: page(<BulkJobPage />) },
    ],
  },
];
