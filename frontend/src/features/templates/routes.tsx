// The Templates pages, mounted by the app under the signed-in shell. Loaded when first opened
// (their own chunk, the chart included); a placeholder of the page's size shows meanwhile.
import { lazy, Suspense, type ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { Skeleton } from '@/components/Skeleton';

const TemplatesPage = lazy(() => import('./components/TemplatesPage').then((m) => ({ default: m.TemplatesPage })));
const NewTemplatePage = lazy(() => import('./components/NewTemplatePage').then((m) => ({ default: m.NewTemplatePage })));
const TemplateLibraryPage = lazy(() => import('./components/TemplateLibraryPage').then((m) => ({ default: m.TemplateLibraryPage })));

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

const page = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

export const templatesRoutes: RouteObject[] = [
  {
    path: 'templates',
    children: [
      { index: true, element: page(<TemplatesPage />) },
      { path: 'new', element: page(<NewTemplatePage />) },
      { path: 'library', element: page(<TemplateLibraryPage />) },
    ],
  },
];
