// What WhatsApp accepts as a file, mirrored from the API (crates/core/src/whatsapp.rs:
// `MediaKind::accepts` and `max_bytes`) so a wrong file is refused at once, in words; the API
// checks the same again when it hands out the upload URL and when it sends.
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

const MB = 1024 * 1024;

interface KindRule {
  /** MIME types, lower case, without parameters. */
  types: readonly string[];
  maxBytes: number;
  /** "Photo", for the chosen file's line. */
  name: string;
  /** "images", for sentences. */
  plural: string;
}

/** In the API's order: a type is the first kind that accepts it. */
export const MEDIA_RULES: Record<MediaKind, KindRule> = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB, name: 'Photo', plural: 'images' },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB, name: 'Video', plural: 'videos' },
  audio: {
    types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    maxBytes: 16 * MB,
    name: 'Audio',
    plural: 'audio files',
  },
  document: {
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
    name: 'Document',
    plural: 'documents',
  },
  // Animated stickers may be 500 KB (static ones 100 KB); the API accepts the larger.
  sticker: { types: ['image/webp'], maxBytes: 500 * 1024, name: 'Sticker', plural: 'stickers' },
};

/** "68 B", "500 KB", "6.3 MB": sizes as WhatsApp counts them (1 MB = 1024 × 1024 bytes). */
export function formatFileSize(bytes: number): string {
  const round = (n: number) => String(Math.round(n * 10) / 10);
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${round(bytes / 1024)} KB`;
  return `${round(bytes / MB)} MB`;
}

const limit = (kind: MediaKind) => formatFileSize(MEDIA_RULES[kind].maxBytes);

/** The limits in one sentence, for the file field's hint. */
export const FILE_HINT = `Photos (JPEG, PNG) up to ${limit('image')}, videos (MP4, 3GPP) and audio up to ${limit('video')}, documents (PDF, Word, Excel, PowerPoint, text) up to ${limit('document')}, WebP stickers up to ${limit('sticker')}.`;

const KINDS = Object.keys(MEDIA_RULES) as MediaKind[];

/** For the file input's `accept`: every type WhatsApp takes. */
export const ACCEPTED_TYPES = KINDS.flatMap((k) => MEDIA_RULES[k].types).join(',');

/** WhatsApp shows a caption with these kinds only (not with audio or stickers). */
export function takesCaption(kind: MediaKind): boolean {
  return kind === 'image' || kind === 'video' || kind === 'document';
}

function baseType(mime: string): string {
  return (mime.trim().toLowerCase().split(';')[0] ?? '').trim();
}

/** The kind a MIME type belongs to, if WhatsApp takes it at all. */
export function mediaKindOf(mime: string): MediaKind | null {
  const base = baseType(mime);
  return KINDS.find((k) => MEDIA_RULES[k].types.includes(base)) ?? null;
}

export type FileCheck = { ok: true; kind: MediaKind; mimeType: string } | { ok: false; error: string };

const WHAT_IS_ACCEPTED =
  'WhatsApp takes JPEG or PNG images, MP4 or 3GPP videos, AAC, AMR, MP3, MP4 or OGG audio, PDF, Word, Excel, PowerPoint or plain-text documents, and WebP stickers.';

/** Whether WhatsApp would take this file, and if not, why, in a sentence or two. */
export function checkFile(file: { name: string; type: string; size: number }): FileCheck {
  const kind = mediaKindOf(file.type);
  if (!kind) {
    const type = baseType(file.type);
    return {
      ok: false,
      error: `“${file.name}” cannot be sent on WhatsApp: ${type ? `files of type ${type} are not accepted` : 'its type is not known'}. ${WHAT_IS_ACCEPTED}`,
    };
  }
  if (file.size === 0) return { ok: false, error: `“${file.name}” is empty.` };
  const rule = MEDIA_RULES[kind];
  if (file.size > rule.maxBytes) {
    return {
      ok: false,
      error: `“${file.name}” is too large (${formatFileSize(file.size)}): WhatsApp takes ${rule.plural} of up to ${formatFileSize(rule.maxBytes)}.`,
    };
  }
  return { ok: true, kind, mimeType: baseType(file.type) };
}

/** What a template's media header takes: WhatsApp's images and videos, and PDF documents only. */
export const HEADER_MEDIA_RULES: Record<'IMAGE' | 'VIDEO' | 'DOCUMENT', { kind: MediaKind; types: readonly string[]; hint: string }> = {
  IMAGE: { kind: 'image', types: MEDIA_RULES.image.types, hint: `A JPEG or PNG image of up to ${limit('image')}.` },
  VIDEO: { kind: 'video', types: MEDIA_RULES.video.types, hint: `An MP4 or 3GPP video of up to ${limit('video')}.` },
  DOCUMENT: { kind: 'document', types: ['application/pdf'], hint: `A PDF document of up to ${limit('document')}.` },
};

/** Whether `file` can be the header of a template whose header is `format`, and if not, why. */
export function checkHeaderFile(format: keyof typeof HEADER_MEDIA_RULES, file: { name: string; type: string; size: number }): FileCheck {
  const rule = HEADER_MEDIA_RULES[format];
  const check = checkFile(file);
  if (check.ok && check.kind === rule.kind && rule.types.includes(check.mimeType)) return check;
  if (!check.ok && mediaKindOf(file.type) === rule.kind) return check;
  return { ok: false, error: `“${file.name}” cannot be this template’s header. ${rule.hint}` };
}
