// How many parts an SMS costs, exactly as carriers (and the API's rate limit) count it.
//
// A text is GSM-7 if every character is in the GSM 03.38 basic set or its extension table; the
// extension characters ^ { } \ [ ] ~ | € (and form feed) take two septets. Any other character
// makes the whole text UCS-2, counted in UTF-16 code units (an emoji is two). One part holds 160
// septets or 70 units; a multipart text holds 153 or 67 per part (the rest is the header), and an
// escape pair or a surrogate pair is never split across parts. Mirrors `wecare_core::sms`.

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('^{}\\[]~|€\f');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** What one part holds in this encoding: 160/70 for a single part, 153/67 each for several. */
  perSegment: number;
}

const LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
};

function gsmCost(char: string): number | null {
  if (GSM_BASIC.has(char)) return 1;
  if (GSM_EXTENSION.has(char)) return 2;
  return null;
}

/** The encoding, size and number of parts of `text`. */
export function smsSegments(text: string): SmsSegments {
  // By code point, so a surrogate pair is one character costing two units.
  const chars = Array.from(text);
  const gsm = chars.map(gsmCost);
  const encoding: SmsEncoding = gsm.every((c) => c !== null) ? 'GSM-7' : 'UCS-2';
  const costs = encoding === 'GSM-7' ? (gsm as number[]) : chars.map((c) => c.length);
  const { single, multi } = LIMITS[encoding];
  const units = costs.reduce((sum, c) => sum + c, 0);
  if (units === 0) return { encoding, units, segments: 0, perSegment: single };
  if (units <= single) return { encoding, units, segments: 1, perSegment: single };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, segments, perSegment: multi };
}
