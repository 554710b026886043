import type { SessionTokens } from './api/initiate-auth';
import { CognitoError } from './api/initiate-auth';
import { REFRESH_MARGIN_MS, SessionStore } from './session';

const KEY = 'test.session';

function tokens(n: number, expiresAt: number): SessionTokens {
  return { idToken: `id-${n}`, accessToken: `access-${n}`, refreshToken: 'refresh', expiresAt };
}

function store({ refresh = vi.fn<(rt: string) => Promise<SessionTokens>>() } = {}) {
  const session = new SessionStore({
    refresh,
    isFatal: (e) => e instanceof CognitoError && e.type === 'NotAuthorizedException',
    storage: localStorage,
    key: KEY,
  });
  return { session, refresh };
}

describe('SessionStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-22T10:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the session across a reload (localStorage)', () => {
    const { session } = store();
    session.signIn(tokens(1, Date.now() + 3600_000));
    const reloaded = store().session;
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'signedIn', tokens: { idToken: 'id-1' } });
  });

  it('ignores a stored session it cannot read', () => {
    localStorage.setItem(KEY, '{"idToken":1}');
    expect(store().session.getSnapshot()).toEqual({ status: 'signedOut', reason: null });
  });

  it('hands out the current token while it is valid', async () => {
    const { session, refresh } = store();
    session.signIn(tokens(1, Date.now() + 3600_000));
    await expect(session.getIdToken()).resolves.toBe('id-1');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('renews an expired token before handing it out, once for concurrent callers', async () => {
    const refresh = vi.fn(() => Promise.resolve(tokens(2, Date.now() + 3600_000)));
    const { session } = store({ refresh });
    session.signIn(tokens(1, Date.now() - 1));
    const [a, b] = await Promise.all([session.getIdToken(), session.getIdToken()]);
    expect([a, b]).toEqual(['id-2', 'id-2']);
    expect(refresh).toHaveBeenCalledOnce();
    expect(JSON.parse(localStorage.getItem(KEY) ?? '{}')).toMatchObject({ idToken: 'id-2' });
  });

  it('renews ahead of expiry on a timer', async () => {
    const refresh = vi.fn(() => Promise.resolve(tokens(2, Date.now() + 3600_000)));
    const { session } = store({ refresh });
    const stop = session.start();
    session.signIn(tokens(1, Date.now() + 3600_000));
    await vi.advanceTimersByTimeAsync(3600_000 - REFRESH_MARGIN_MS - 1000);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(refresh).toHaveBeenCalledOnce();
    expect(session.getSnapshot()).toMatchObject({ tokens: { idToken: 'id-2' } });
    stop();
  });

  it('signs out when the refresh token is refused', async () => {
    const refresh = vi.fn(() => Promise.reject(new CognitoError('NotAuthorizedException', 'Refresh Token has expired')));
    const { session } = store({ refresh });
    session.signIn(tokens(1, Date.now() - 1));
    await expect(session.getIdToken()).resolves.toBeNull();
    expect(session.getSnapshot()).toEqual({ status: 'signedOut', reason: 'expired' });
    expect(localStorage.getItem(KEY)).toBeNull();
  });

  it('keeps a still-valid token when renewal fails for lack of network, and tries again later', async () => {
    const refresh = vi
      .fn<(rt: string) => Promise<SessionTokens>>()
      .mockRejectedValueOnce(new CognitoError('NetworkError', 'offline'))
      .mockResolvedValueOnce(tokens(2, Date.now() + 7200_000));
    const { session } = store({ refresh });
    const stop = session.start();
    session.signIn(tokens(1, Date.now() + 60_000));
    await vi.advanceTimersByTimeAsync(1);
    expect(session.getSnapshot()).toMatchObject({ status: 'signedIn', tokens: { idToken: 'id-1' } });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(session.getSnapshot()).toMatchObject({ tokens: { idToken: 'id-2' } });
    stop();
  });

  it('follows a sign-out in another tab', () => {
    const { session } = store();
    const stop = session.start();
    session.signIn(tokens(1, Date.now() + 3600_000));
    localStorage.removeItem(KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: KEY }));
    expect(session.getSnapshot().status).toBe('signedOut');
    stop();
  });
});
