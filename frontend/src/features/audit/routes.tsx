// The audit log's page, mounted by the app under the signed-in shell and loaded when first opened
// (its own chunk), so the pages everyone uses do not pay for it.
import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const AuditLogPage = lazy(() => import('./components/AuditLogPage').then((m) => ({ default: m.AuditLogPage })));

function Loading() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="10em" height="2rem" />
      </div>
      <Skeleton height="2.75rem" />
    </div>
  );
}

export const auditRoutes: RouteObject[] = [
  {
    path: 'audit',
    element: (
      <Suspense fallback={<Loading />}>
        <AuditLogPage />
      </Suspense>
    ),
  },
];
