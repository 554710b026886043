// The inbox feature's page, mounted by the app under the signed-in shell.
import type { RouteObject } from 'react-router';
import { InboxPage } from './components/InboxPage';

export const inboxRoutes: RouteObject[] = [{ path: 'inbox', element: <InboxPage /> }];
