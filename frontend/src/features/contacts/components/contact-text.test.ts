import { conflictingContactId, consentActor, fieldMessage } from './contact-text';

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
