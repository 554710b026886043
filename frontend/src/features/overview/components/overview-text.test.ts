import { utcOffsetMinutes, type Counts } from '../api/get-overview';
import { countsOf, dayLabel, emptyCounts, isChannelFilter, percent, progressSentence, seriesFor } from './overview-text';

const c = (x: Partial<Counts>): Counts => ({ ...emptyCounts(), ...x });

describe('overview numbers', () => {
  it('add the channels up for "all", or take one', () => {
    const channels = { whatsapp: c({ sent: 2, read: 1 }), sms: c({ sent: 3, failed: 1 }), email: c({ sent: 1 }) };
    expect(countsOf(channels, 'all')).toEqual(c({ sent: 6, read: 1, failed: 1 }));
    expect(countsOf(channels, 'sms')).toEqual(c({ sent: 3, failed: 1 }));
    expect(isChannelFilter('sms') && isChannelFilter('all')).toBe(true);
    expect(isChannelFilter('fax') || isChannelFilter(null)).toBe(false);
  });

  it('show unknown and dry-run lines only when there are some', () => {
    expect(seriesFor([c({ sent: 1 })]).map((s) => s.key)).toEqual(['sent', 'delivered', 'read', 'failed', 'received']);
    expect(seriesFor([c({ unknown: 1 }), c({ dryRun: 2 })]).map((s) => s.key)).toEqual([
      'sent',
      'delivered',
      'read',
      'failed',
      'unknown',
      'dryRun',
      'received',
    ]);
    // Every line has its own pattern as well as its colour.
    const dashes = seriesFor([c({ unknown: 1, dryRun: 1 })]).map((s) => s.dash.join(','));
    expect(new Set(dashes).size).toBe(dashes.length);
  });

  it('say rates as whole percents, small ones to a tenth, and none as none', () => {
    expect(percent(0.8)).toBe('80 %');
    expect(percent(0.0456)).toBe('4.6 %');
    expect(percent(0)).toBe('0 %');
    expect(percent(1)).toBe('100 %');
    expect(percent(null)).toBeNull();
  });

  it('say a job’s progress in words', () => {
    expect(progressSentence({ total: 20, pending: 5, sent: 12, failed: 1, skipped: { not_opted_in: 2 }, unknown: 0, cancelled: 0 })).toBe(
      '15 of 20 settled: 12 sent, 1 failed, 2 skipped',
    );
    expect(progressSentence({ total: 3, pending: 3, sent: 0, failed: 0, skipped: {}, unknown: 0, cancelled: 0 })).toBe('0 of 3 settled');
  });

  it('name the reader’s day and send the reader’s offset from UTC', () => {
    expect(dayLabel('2026-12-04')).toMatch(/4/);
    expect(dayLabel('not a date')).toBe('not a date');
    // India is UTC+5:30: getTimezoneOffset says -330.
    expect(utcOffsetMinutes({ getTimezoneOffset: () => -330 } as Date)).toBe(330);
    expect(Object.is(utcOffsetMinutes({ getTimezoneOffset: () => 0 } as Date), 0)).toBe(true);
  });
});
