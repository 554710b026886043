import { destinations, visibleNavigation } from './navigation';

describe('visibleNavigation', () => {
  it('shows only destinations that work today, and drops empty sections', () => {
    const sections = visibleNavigation(destinations, () => true);
    expect(sections).toEqual([
      { id: 'overview', items: [{ label: 'Overview', to: '/overview' }] },
      { id: 'inbox', items: [{ label: 'Inbox', to: '/inbox' }] },
      { id: 'contacts', items: [{ label: 'Contacts', to: '/contacts' }] },
      { id: 'bulk', items: [{ label: 'Bulk Messaging', to: '/bulk' }] },
      { id: 'templates', items: [{ label: 'Templates', to: '/templates' }] },
      { id: 'agent', items: [{ label: 'Agent', to: '/agent' }] },
      { id: 'failed-messages', items: [{ label: 'Failed messages', to: '/failed-messages' }] },
      { id: 'audit', items: [{ label: 'Audit log', to: '/audit' }] },
      { id: 'users', items: [{ label: 'Users', to: '/users' }] },
      { id: 'settings', items: [{ label: 'Settings', to: '/settings' }] },
    ]);
  });

  it('hides what the role may not use', () => {
    const adminOnly = ['manageDlq', 'readAudit', 'manageUsers', 'manageConfig'];
    expect(visibleNavigation(destinations, (p) => p !== 'readContacts' && !adminOnly.includes(p)).map((s) => s.id)).toEqual(['overview', 'inbox', 'bulk', 'templates', 'agent']);
    // A Viewer reads, and does not use the assistant.
    expect(visibleNavigation(destinations, (p) => p === 'readContacts' || p === 'readMessages').map((s) => s.id)).toEqual(['overview', 'inbox', 'contacts', 'bulk', 'templates']);
    expect(visibleNavigation(destinations, (p) => p === 'useAi').map((s) => s.id)).toEqual(['agent']);
    expect(visibleNavigation(destinations, (p) => p !== 'readContacts' && p !== 'readMessages' && p !== 'useAi' && !adminOnly.includes(p))).toEqual([]);
    expect(visibleNavigation(destinations, (p) => p === 'readAudit' || p === 'manageUsers').map((s) => s.id)).toEqual(['audit', 'users']);
    expect(visibleNavigation(destinations, (p) => p === 'manageDlq').map((s) => s.id)).toEqual(['failed-messages']);
    expect(visibleNavigation(destinations, (p) => p === 'manageConfig').map((s) => s.id)).toEqual(['settings']);
  });

  it('groups WhatsApp, SMS and Email under DM once they are ready', () => {
    const ready = destinations.map((s) => ({ ...s, items: s.items.map((i) => ({ ...i, ready: true })) }));
    const dm = visibleNavigation(ready, () => true).find((s) => s.id === 'dm');
    expect(dm).toMatchObject({ label: 'DM', items: [{ label: 'WhatsApp' }, { label: 'SMS' }, { label: 'Email' }] });
    expect(visibleNavigation(ready, () => true).map((s) => s.id)).toEqual(['overview', 'inbox', 'dm', 'contacts', 'bulk', 'templates', 'agent', 'failed-messages', 'audit', 'users', 'settings']);
  });
});
