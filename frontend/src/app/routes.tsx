// The route table: sign-in outside the shell, every feature's pages inside it.
import { Outlet, ScrollRestoration, type RouteObject } from 'react-router';
import { SignInPage } from '@/features/auth/components/SignInPage';
import { agentRoutes } from '@/features/agent/routes';
import { auditRoutes } from '@/features/audit/routes';
import { bulkRoutes } from '@/features/bulk/routes';
import { contactsRoutes } from '@/features/contacts/routes';
import { conversationRoutes } from '@/features/conversation/routes';
import { dlqRoutes } from '@/features/dlq/routes';
import { inboxRoutes } from '@/features/inbox/routes';
import { overviewRoutes } from '@/features/overview/routes';
import { settingsRoutes } from '@/features/settings/routes';
import { templatesRoutes } from '@/features/templates/routes';
import { usersRoutes } from '@/features/users/routes';
import { NotFoundPage, RouteErrorPage } from './ErrorPages';
import { HomeRedirect } from './HomeRedirect';
import { SignedInLayout } from './SignedInLayout';

/** Every page starts at the top (and Back returns to where it was). */
function RootLayout() {
  return (
    <>
      <ScrollRestoration />
      <Outlet />
    </>
  );
}

export const routes: RouteObject[] = [
  {
    element: <RootLayout />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: '/sign-in', element: <SignInPage /> },
      {
        path: '/',
        element: <SignedInLayout />,
        children: [
          { index: true, element: <HomeRedirect /> },
          ...overviewRoutes,
          ...contactsRoutes,
          ...inboxRoutes,
          ...conversationRoutes,
          ...bulkRoutes,
          ...templatesRoutes,
          ...agentRoutes,
          ...dlqRoutes,
          ...auditRoutes,
          ...usersRoutes,
          ...settingsRoutes,
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
