import { conflictingContactId, consentActor, displayName, fieldMessage } from './contact-text';

describe('displayName', () => {
  it('falls back from the name to the phone, the email, and then says who wrote in without a number', () => {
    expect(displayName({ name: 'Ada', phone: '+44' })).toBe('Ada');
    expect(displayName({ phone: '+44', email: 'a@b.c' })).toBe('+44');
    expect(displayName({ email: 'a@b.c' })).toBe('a@b.c');
    expect(displayName({ whatsappUserId: 'IN.1234567890ABCDEF' })).toBe('WhatsApp user');
    expect(displayName({})).toBe('Unnamed contact');
  });
});

describe('fieldMessage', () => {
  it('reads as a sentence about the field', () => {
    expect(fieldMessage('phone', 'is not a valid number for its country')).toBe('Phone is not a valid number for its country');
    expect(fieldMessage('name', 'is too long (201 characters, at most 200)')).toBe('Name is too long (201 characters, at most 200)');
    expect(fieldMessage('phone', 'a contact needs a phone or an email')).toBe('A contact needs a phone or an email');
  });
});

describe('consentActor', () => {
  const change = { channel: 'sms', optedIn: true, at: '2026-11-01T00:00:00Z' } as const;
  it('names the reader "you", inbound changes "the contact", and others by id', () => {
    expect(consentActor({ ...change, by: 'me', source: 'operator' }, 'me')).toBe('you');
    expect(consentActor({ ...change, by: 'c-1', source: 'inbound_keyword' }, 'me')).toBe('the contact');
    expect(consentActor({ ...change, by: 'u-2', source: 'operator' }, 'me')).toBe('user u-2');
  });
});

describe('conflictingContactId', () => {
  it('finds the id in a CONFLICT message', () => {
    expect(conflictingContactId('already belongs to contact 01a2-xyz')).toBe('01a2-xyz');
    expect(conflictingContactId('is not valid')).toBeNull();
  });
});
