import { destinations, visibleNavigation } from './navigation';

describe('visibleNavigation', () => {
  it('shows only destinations that work today, and drops empty sections', () => {
    const sections = visibleNavigation(destinations, () => true);
    expect(sections).toEqual([
      { id: 'inbox', items: [{ label: 'Inbox', to: '/inbox' }] },
      { id: 'contacts', items: [{ label: 'Contacts', to: '/contacts' }] },
      { id: 'bulk', items: [{ label: 'Bulk Messaging', to: '/bulk' }] },
      { id: 'templates', items: [{ label: 'Templates', to: '/templates' }] },
    ]);
  });

  it('hides what the role may not use', () => {
    expect(visibleNavigation(destinations, (p) => p !== 'readContacts').map((s) => s.id)).toEqual(['inbox', 'bulk', 'templates']);
    expect(visibleNavigation(destinations, (p) => p !== 'readContacts' && p !== 'readMessages')).toEqual([]);
  });

  it('groups WhatsApp, SMS and Email under DM once they are ready', () => {
    const ready = destinations.map((s) => ({ ...s, items: s.items.map((i) => ({ ...i, ready: true })) }));
    const dm = visibleNavigation(ready, () => true).find((s) => s.id === 'dm');
    expect(dm).toMatchObject({ label: 'DM', items: [{ label: 'WhatsApp' }, { label: 'SMS' }, { label: 'Email' }] });
    expect(visibleNavigation(ready, () => true).map((s) => s.id)).toEqual(['inbox', 'dm', 'contacts', 'bulk', 'templates', 'agent']);
  });
});
