import { ACCEPTED_TYPES, checkFile, FILE_HINT, formatFileSize, mediaKindOf, takesCaption } from './media-limits';

const MB = 1024 * 1024;
const file = (name: string, type: string, size: number) => ({ name, type, size });

describe('media limits (as crates/core/src/whatsapp.rs)', () => {
  it('knows the kind of every type WhatsApp takes, and no other', () => {
    expect(mediaKindOf('image/jpeg')).toBe('image');
    expect(mediaKindOf(' IMAGE/PNG ')).toBe('image');
    expect(mediaKindOf('video/3gpp')).toBe('video');
    expect(mediaKindOf('audio/ogg; codecs=opus')).toBe('audio');
    expect(mediaKindOf('application/pdf')).toBe('document');
    expect(mediaKindOf('text/plain;charset=utf-8')).toBe('document');
    expect(mediaKindOf('image/webp')).toBe('sticker');
    expect(mediaKindOf('image/gif')).toBeNull();
    expect(mediaKindOf('')).toBeNull();
    expect(ACCEPTED_TYPES.split(',')).toHaveLength(18);
  });

  it('takes files up to the size of their kind', () => {
    expect(checkFile(file('a.png', 'image/png', 5 * MB))).toEqual({ ok: true, kind: 'image', mimeType: 'image/png' });
    expect(checkFile(file('a.mp4', 'video/mp4', 16 * MB))).toMatchObject({ ok: true, kind: 'video' });
    expect(checkFile(file('a.pdf', 'application/pdf', 100 * MB))).toMatchObject({ ok: true, kind: 'document' });
    expect(checkFile(file('a.webp', 'image/webp', 500 * 1024))).toMatchObject({ ok: true, kind: 'sticker' });
    expect(checkFile(file('a.txt', 'text/plain;charset=utf-8', 3))).toEqual({ ok: true, kind: 'document', mimeType: 'text/plain' });
  });

  it('says in words why a file cannot be sent', () => {
    expect(checkFile(file('big.png', 'image/png', 5 * MB + 1))).toEqual({
      ok: false,
      error: '“big.png” is too large (5 MB): WhatsApp takes images of up to 5 MB.',
    });
    expect(checkFile(file('clip.mp4', 'video/mp4', 20 * MB))).toMatchObject({
      error: '“clip.mp4” is too large (20 MB): WhatsApp takes videos of up to 16 MB.',
    });
    const error = (f: ReturnType<typeof file>) => {
      const check = checkFile(f);
      return check.ok ? null : check.error;
    };
    expect(error(file('s.webp', 'image/webp', 600 * 1024))).toBe('“s.webp” is too large (600 KB): WhatsApp takes stickers of up to 500 KB.');
    expect(error(file('cat.gif', 'image/gif', 10))).toBe(
      '“cat.gif” cannot be sent on WhatsApp: files of type image/gif are not accepted. WhatsApp takes JPEG or PNG images, MP4 or 3GPP videos, AAC, AMR, MP3, MP4 or OGG audio, PDF, Word, Excel, PowerPoint or plain-text documents, and WebP stickers.',
    );
    expect(error(file('notes', '', 10))).toMatch(/^“notes” cannot be sent on WhatsApp: its type is not known\./);
    expect(checkFile(file('empty.pdf', 'application/pdf', 0))).toEqual({ ok: false, error: '“empty.pdf” is empty.' });
  });

  it('counts sizes as WhatsApp does, and names the limits', () => {
    expect(formatFileSize(68)).toBe('68 B');
    expect(formatFileSize(1536)).toBe('1.5 KB');
    expect(formatFileSize(6.3 * MB)).toBe('6.3 MB');
    expect(FILE_HINT).toBe(
      'Photos (JPEG, PNG) up to 5 MB, videos (MP4, 3GPP) and audio up to 16 MB, documents (PDF, Word, Excel, PowerPoint, text) up to 100 MB, WebP stickers up to 500 KB.',
    );
  });

  it('knows which kinds show a caption', () => {
    expect(['image', 'video', 'document', 'audio', 'sticker'].map((k) => takesCaption(k as never))).toEqual([true, true, true, false, false]);
  });
});
