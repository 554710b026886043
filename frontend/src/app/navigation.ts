// The sidebar. Every destination the product will have is listed here; `ready` says whether its
// screens exist yet, and the user must hold `permission` to see it. Adding DM is flipping `ready`
// (and adding their routes in routes.tsx). Bulk Messaging is read by every role (a Viewer follows
// jobs); creating and controlling jobs takes `manageBulk`, which its pages check. Templates are
// read by every role too; syncing takes an Operator, creating and deleting an Admin. The Agent
// (asking the knowledge base; Admins also review every AI interaction there) takes `useAi`, which
// Operators and Admins hold and Viewers do not. Failed messages (the dead-letter queues and their
// replay) are an Admin's alone. The Overview, the home of Operators and Admins, is messages
// counted: every role may read it. The audit log, the team's users and the settings
// (`manageConfig`) are an Admin's alone too.
import type { NavSection } from '@/components/layout/AppShell';
import type { Permission } from '@/lib/authorization';

interface Destination {
  label: string;
  to: string;
  permission: Permission;
  ready: boolean;
}

interface Section {
  id: string;
  label?: string;
  items: Destination[];
}

export const destinations: Section[] = [
  { id: 'overview', items: [{ label: 'Overview', to: '/overview', permission: 'readMessages', ready: true }] },
  { id: 'inbox', items: [{ label: 'Inbox', to: '/inbox', permission: 'readMessages', ready: true }] },
  {
    id: 'dm',
    label: 'DM',
    items: [
      { label: 'WhatsApp', to: '/dm/whatsapp', permission: 'readMessages', ready: false },
      { label: 'SMS', to: '/dm/sms', permission: 'readMessages', ready: false },
      { label: 'Email', to: '/dm/email', permission: 'readMessages', ready: false },
    ],
  },
  { id: 'contacts', items: [{ label: 'Contacts', to: '/contacts', permission: 'readContacts', ready: true }] },
  { id: 'bulk', items: [{ label: 'Bulk Messaging', to: '/bulk', permission: 'readMessages', ready: true }] },
  { id: 'templates', items: [{ label: 'Templates', to: '/templates', permission: 'readMessages', ready: true }] },
  { id: 'agent', items: [{ label: 'Agent', to: '/agent', permission: 'useAi', ready: true }] },
  { id: 'failed-messages', items: [{ label: 'Failed messages', to: '/failed-messages', permission: 'manageDlq', ready: true }] },
  { id: 'audit', items: [{ label: 'Audit log', to: '/audit', permission: 'readAudit', ready: true }] },
  { id: 'users', items: [{ label: 'Users', to: '/users', permission: 'manageUsers', ready: true }] },
  { id: 'settings', items: [{ label: 'Settings', to: '/settings', permission: 'manageConfig', ready: true }] },
];

/** The sections a user sees: ready destinations they may use; empty sections are dropped. */
export function visibleNavigation(sections: Section[], can: (permission: Permission) => boolean): NavSection[] {
  return sections
    .map((section) => ({
      id: section.id,
      ...(section.label ? { label: section.label } : {}),
      items: section.items.filter((item) => item.ready && can(item.permission)).map(({ label, to }) => ({ label, to })),
    }))
    .filter((section) => section.items.length > 0);
}
