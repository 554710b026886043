// Words for an inbox row: who it is with and what was said last.
import { contactDisplayName } from '@/lib/contact-name';
import type { LastMessage } from '../api/conversation';
import type { InboxContact } from '../api/get-contact';

const mediaLabel: Record<string, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
  location: 'Location',
  interactive: 'Button reply',
  button: 'Button reply',
  contacts: 'Contact card',
  reaction: 'Reaction',
};

/** The last message in one line: its text, an email's subject, a template's name or its kind. */
export function messagePreview(message: LastMessage): string {
  const type = typeof message.details?.type === 'string' ? message.details.type : '';
  const body =
    message.text?.trim().replace(/\s+/g, ' ') ||
    message.subject?.trim() ||
    (message.template ? `Template “${message.template.name}”` : '') ||
    mediaLabel[type] ||
    'Message';
  return message.direction === 'outbound' ? `You: ${body}` : body;
}

/** The contact's address as the message shows it (who it came from or went to). */
export function messageAddress(message: LastMessage): string {
  return message.direction === 'inbound' ? message.from : message.to;
}

export function contactName(contact: InboxContact): string {
  return contactDisplayName(contact);
}
