// The Agent pages, mounted by the app under the signed-in shell and loaded when first opened (their
// own chunk): asking the knowledge base, and the Admins' review of every AI interaction.
import { lazy, Suspense, type ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const AskPage = lazy(() => import('./components/AskPage').then((m) => ({ default: m.AskPage })));
const InteractionsPage = lazy(() => import('./components/InteractionsPage').then((m) => ({ default: m.InteractionsPage })));

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

const page = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

export const agentRoutes: RouteObject[] = [
  {
    path: 'agent',
    children: [
      { index: true, element: page(<AskPage />) },
      { path: 'interactions', element: page(<InteractionsPage />) },
    ],
  },
];
