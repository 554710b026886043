// The Settings page, mounted by the app under the signed-in shell and loaded when first opened (its
// own chunk), so the pages everyone uses do not pay for it.
import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const SettingsPage = lazy(() => import('./components/SettingsPage').then((m) => ({ default: m.SettingsPage })));

function Loading() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <Skeleton width="8em" height="2rem" />
      </div>
      <Skeleton height="9rem" />
    </div>
  );
}

export const settingsRoutes: RouteObject[] = [
  {
    path: 'settings',
    element: (
      <Suspense fallback={<Loading />}>
        <SettingsPage />
      </Suspense>
    ),
  },
];
