import { smsSegments } from './sms-segments';

const seg = (text: string) => {
  const { encoding, units, segments } = smsSegments(text);
  return [encoding, units, segments];
};

describe('smsSegments', () => {
  it('fits 160 GSM-7 characters in one part and 153 per part after', () => {
    expect(seg('a'.repeat(160))).toEqual(['GSM-7', 160, 1]);
    expect(seg('a'.repeat(161))).toEqual(['GSM-7', 161, 2]);
    expect(seg('a'.repeat(306))).toEqual(['GSM-7', 306, 2]);
    expect(seg('a'.repeat(307))).toEqual(['GSM-7', 307, 3]);
    expect(smsSegments('a'.repeat(161)).perSegment).toBe(153);
  });

  it('keeps é in GSM-7: it is in the basic set', () => {
    expect(seg('é'.repeat(160))).toEqual(['GSM-7', 160, 1]);
    expect(seg('café')).toEqual(['GSM-7', 4, 1]);
  });

  it('fits 70 UCS-2 characters in one part and 67 per part after', () => {
    expect(seg('ж'.repeat(70))).toEqual(['UCS-2', 70, 1]);
    expect(seg('ж'.repeat(71))).toEqual(['UCS-2', 71, 2]);
    expect(seg('ж'.repeat(134))).toEqual(['UCS-2', 134, 2]);
    expect(seg('ж'.repeat(135))).toEqual(['UCS-2', 135, 3]);
    expect(smsSegments('ж'.repeat(71)).perSegment).toBe(67);
  });

  it('makes the whole text UCS-2 for one character outside GSM-7', () => {
    expect(seg(`${'a'.repeat(69)}ж`)).toEqual(['UCS-2', 70, 1]);
    expect(seg(`${'a'.repeat(70)}ж`)).toEqual(['UCS-2', 71, 2]);
    expect(seg('çava')[0]).toBe('UCS-2');
  });

  it('counts an emoji as two UTF-16 units and never splits it', () => {
    expect(seg('hi 👋')).toEqual(['UCS-2', 5, 1]);
    expect(seg('👋'.repeat(35))).toEqual(['UCS-2', 70, 1]);
    expect(seg('👋'.repeat(36))).toEqual(['UCS-2', 72, 2]);
    // 66 units then an emoji: the pair moves whole to the next part.
    expect(seg(`${'ж'.repeat(66)}👋${'ж'.repeat(66)}`)).toEqual(['UCS-2', 134, 3]);
  });

  it('charges two septets for € and the other extension characters', () => {
    expect(seg('€')).toEqual(['GSM-7', 2, 1]);
    expect(seg('€'.repeat(80))).toEqual(['GSM-7', 160, 1]);
    expect(seg(`${'a'.repeat(159)}€`)).toEqual(['GSM-7', 161, 2]);
    expect(seg('^{}\\[]~|')).toEqual(['GSM-7', 16, 1]);
    // 152 septets then an escape pair: the pair moves whole to the second part.
    expect(seg(`${'a'.repeat(152)}{${'a'.repeat(152)}`)[2]).toBe(3);
  });

  it('costs nothing when empty', () => {
    expect(seg('')).toEqual(['GSM-7', 0, 0]);
  });
});
