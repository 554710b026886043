import { aMessage } from '@/testing/fixtures';
import { needsMarkRead, newestInbound } from './use-mark-read';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();
const inbound = (messageId: string, minute: number) => ({ messageId, createdAt: at(minute) });

describe('newestInbound', () => {
  it('finds the newest message the contact sent', () => {
    const first = aMessage({ messageId: 'in-1' });
    const second = aMessage({ messageId: 'in-2' });
    const reply = aMessage({ messageId: 'out-1', direction: 'outbound' });
    expect(newestInbound([first, second, reply])?.messageId).toBe('in-2');
    expect(newestInbound([reply])).toBeUndefined();
  });
});

describe('needsMarkRead', () => {
  it('marks read when the inbox counts unread messages', () => {
    const row = { contactId: 'c', unreadCount: 2, lastInboundAt: at(5) };
    expect(needsMarkRead({ newest: inbound('in-2', 5), row, acknowledged: undefined })).toBe(true);
    expect(needsMarkRead({ newest: undefined, row, acknowledged: undefined })).toBe(true);
  });

  it('does not mark read what the inbox already knows as read', () => {
    const row = { contactId: 'c', unreadCount: 0, lastInboundAt: at(5) };
    expect(needsMarkRead({ newest: inbound('in-2', 5), row, acknowledged: undefined })).toBe(false);
    expect(needsMarkRead({ newest: inbound('in-1', 3), row, acknowledged: undefined })).toBe(false);
    expect(needsMarkRead({ newest: undefined, row: { ...row, lastInboundAt: null }, acknowledged: undefined })).toBe(false);
  });

  it('marks read an inbound message newer than the inbox knows, once', () => {
    const row = { contactId: 'c', unreadCount: 0, lastInboundAt: at(5) };
    expect(needsMarkRead({ newest: inbound('in-3', 7), row, acknowledged: undefined })).toBe(true);
    expect(needsMarkRead({ newest: inbound('in-3', 7), row, acknowledged: 'in-3' })).toBe(false);
    expect(needsMarkRead({ newest: inbound('in-3', 7), row: { ...row, lastInboundAt: null }, acknowledged: undefined })).toBe(true);
  });

  it('without the inbox, marks the newest inbound message read once', () => {
    expect(needsMarkRead({ newest: inbound('in-1', 1), row: undefined, acknowledged: undefined })).toBe(true);
    expect(needsMarkRead({ newest: inbound('in-1', 1), row: undefined, acknowledged: 'in-1' })).toBe(false);
    expect(needsMarkRead({ newest: inbound('in-2', 2), row: undefined, acknowledged: 'in-1' })).toBe(true);
    expect(needsMarkRead({ newest: undefined, row: undefined, acknowledged: undefined })).toBe(false);
  });
});
