import { formatRemaining, windowState } from './window';

const now = Date.parse('2026-11-20T10:00:00.000Z');

describe('windowState', () => {
  it('says how long an open window has left', () => {
    expect(windowState('2026-11-20T13:12:30.000Z', now)).toEqual({ open: true, text: 'open · 3 h 12 min left' });
    expect(windowState('2026-11-21T10:00:00.000Z', now)).toEqual({ open: true, text: 'open · 24 h left' });
    expect(windowState('2026-11-20T10:00:30.000Z', now)).toEqual({ open: true, text: 'open · less than a minute left' });
  });

  it('is closed without an expiry, once it has passed, or when it cannot be read', () => {
    expect(windowState(null, now)).toEqual({ open: false, text: 'closed' });
    expect(windowState('2026-11-20T10:00:00.000Z', now).open).toBe(false);
    expect(windowState('yesterday', now).open).toBe(false);
  });
});

describe('formatRemaining', () => {
  it('rounds down to the minute', () => {
    expect(formatRemaining(59 * 60_000 + 59_999)).toBe('59 min');
    expect(formatRemaining(2 * 3600_000)).toBe('2 h');
  });
});
