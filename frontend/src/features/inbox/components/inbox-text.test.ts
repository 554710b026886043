import type { LastMessage } from '../api/conversation';
import { contactName, messageAddress, messagePreview } from './inbox-text';

const message = (overrides: Partial<LastMessage> = {}): LastMessage => ({
  messageId: 'm-1',
  channel: 'whatsapp',
  direction: 'inbound',
  status: 'received',
  to: 'pn-1',
  from: '+919876543210',
  createdAt: '2026-11-20T10:00:00.000Z',
  ...overrides,
});

describe('messagePreview', () => {
  it('shows the text on one line, and marks what the business sent', () => {
    expect(messagePreview(message({ text: '  hello\n\nthere ' }))).toBe('hello there');
    expect(messagePreview(message({ direction: 'outbound', text: 'On its way' }))).toBe('You: On its way');
  });

  it('falls back to the subject, the template or the kind of message', () => {
    expect(messagePreview(message({ channel: 'email', subject: 'Your order' }))).toBe('Your order');
    expect(messagePreview(message({ direction: 'outbound', template: { name: 'order_update', language: 'en_US' } }))).toBe(
      'You: Template “order_update”',
    );
    expect(messagePreview(message({ details: { type: 'image', media: {} } }))).toBe('Photo');
    expect(messagePreview(message({ details: { type: 'something_new' } }))).toBe('Message');
  });
});

describe('messageAddress and contactName', () => {
  it('uses the sender of inbound and the recipient of outbound messages', () => {
    expect(messageAddress(message())).toBe('+919876543210');
    expect(messageAddress(message({ direction: 'outbound', from: 'pn-1', to: '+14155550100' }))).toBe('+14155550100');
  });

  it('names a contact by name, else phone, else email', () => {
    expect(contactName({ contactId: 'c', name: 'Ada', phone: '+1' })).toBe('Ada');
    expect(contactName({ contactId: 'c', email: 'a@example.com' })).toBe('a@example.com');
  });
});
