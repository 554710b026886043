// Words for the messages of a timeline: what a message carries besides text (delivery statuses
// are drawn by the shared MessageStatus).
import type { Media, Message } from '../api/message';

const kindLabel: Record<string, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
};

/** "Photo", "Document"… for a media message (from its type, else its MIME type). */
export function mediaKind(message: Pick<Message, 'details'>, media: Media): string {
  const type = typeof message.details?.type === 'string' ? message.details.type : '';
  if (kindLabel[type]) return kindLabel[type];
  const mime = media.mimeType ?? '';
  if (mime.startsWith('image/')) return 'Photo';
  if (mime.startsWith('video/')) return 'Video';
  if (mime.startsWith('audio/')) return 'Audio';
  return 'File';
}

export function isImage(media: Media): boolean {
  return (media.mimeType ?? '').startsWith('image/');
}

/** Extras a message may carry in `details`, worded: a location, a button reply, a note. */
export function detailNotes(message: Pick<Message, 'details' | 'text'>): string[] {
  const details = message.details;
  if (!details) return [];
  const notes: string[] = [];
  const location = details.location as { latitude?: unknown; longitude?: unknown; name?: unknown } | undefined;
  if (location && typeof location.latitude === 'number' && typeof location.longitude === 'number') {
    const name = typeof location.name === 'string' ? `${location.name}, ` : '';
    notes.push(`Location: ${name}${location.latitude.toFixed(5)}, ${location.longitude.toFixed(5)}`);
  }
  const interactive = details.interactive as { button_reply?: { title?: unknown }; list_reply?: { title?: unknown } } | undefined;
  const reply = interactive?.button_reply?.title ?? interactive?.list_reply?.title;
  const button = details.button as { text?: unknown } | undefined;
  const pressed = typeof reply === 'string' ? reply : typeof button?.text === 'string' ? button.text : null;
  // The API copies the button's title into `text` too: say it was a button, not the title twice.
  if (pressed !== null) notes.push(pressed === message.text ? 'Replied with a button' : `Replied with the button “${pressed}”`);
  if (details.unsupported === true) notes.push('A kind of message the console cannot show');
  if (details.kind === 'opt_out_confirmation') notes.push('Sent automatically after the contact opted out');
  return notes;
}

/** The readable text of an HTML email body (parsed inertly: nothing in it runs or loads). */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const hidden of doc.querySelectorAll('script, style, template, head')) hidden.remove();
  // Blocks and line breaks separate words; inline elements do not.
  for (const block of doc.querySelectorAll('p, div, br, li, h1, h2, h3, h4, h5, h6, tr, td, th, blockquote, section, article')) {
    block.after(' ');
  }
  return doc.body.textContent.replace(/\s+/g, ' ').trim();
}
