// Words for contacts and their consent, shared by the list, the detail page and the form.
import type { Channel, ConsentChange, Contact } from '../api/contact';

export const channelLabel: Record<Channel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

export { contactDisplayName as displayName } from '@/lib/contact-name';

const sourceLabel: Record<string, string> = {
  operator: 'set in the console',
  inbound_keyword: 'keyword reply (STOP/START)',
  import: 'import',
  inbound: 'inbound message',
};

/** Who made a consent change: "you", "the contact" (inbound sources) or the user's id. */
export function consentActor(change: ConsentChange, currentUserId: string): string {
  if (change.by === currentUserId) return 'you';
  if (change.source === 'inbound' || change.source === 'inbound_keyword') return 'the contact';
  return `user ${change.by}`;
}

export function consentSource(change: ConsentChange): string {
  return sourceLabel[change.source] ?? change.source.replaceAll('_', ' ');
}

/** The changes of one channel, newest first. */
export function consentChanges(contact: Contact, channel: Channel): ConsentChange[] {
  return contact.consentHistory
    .filter((change) => change.channel === channel)
    .sort((a, b) => b.at.localeCompare(a.at));
}

const FIELD_LABELS: Record<string, string> = { name: 'Name', phone: 'Phone', email: 'Email' };

/**
 * A field-level message from the API's "field: message" text: "phone: is not a valid number"
 * becomes "Phone is not a valid number"; a message that is a sentence of its own is capitalised.
 */
export function fieldMessage(field: string, message: string): string {
  const label = FIELD_LABELS[field] ?? field;
  if (/^(is|are|must|has|already|should|cannot|can't|was)\b/.test(message)) return `${label} ${message}`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The contact id in a CONFLICT message ("phone: already belongs to contact <id>"). */
export function conflictingContactId(message: string): string | null {
  return /already belongs to contact (\S+)/.exec(message)?.[1] ?? null;
}
