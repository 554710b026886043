// The contacts feature's pages, mounted by the app under the signed-in shell.
import type { RouteObject } from 'react-router';
import { ContactDetailPage } from './components/ContactDetailPage';
import { ContactsPage } from './components/ContactsPage';
import { EditContactPage } from './components/EditContactPage';
import { NewContactPage } from './components/NewContactPage';

export const contactsRoutes: RouteObject[] = [
  {
    path: 'contacts',
    children: [
      { index: true, element: <ContactsPage /> },
      { path: 'new', element: <NewContactPage /> },
      { path: ':contactId', element: <ContactDetailPage /> },
      { path: ':contactId/edit', element: <EditContactPage /> },
    ],
  },
];
