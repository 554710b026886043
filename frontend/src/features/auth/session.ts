// The signed-in session: Cognito's tokens, kept in localStorage so a reload stays signed in,
// renewed before the ID token expires, and shared between tabs (signing out in one signs out all).
import * as z from 'zod/mini';
import type { SessionTokens } from './api/initiate-auth';

export type SignedOutReason = 'signedOut' | 'expired';

export type SessionState =
  | { status: 'signedIn'; tokens: SessionTokens }
  | { status: 'signedOut'; reason: SignedOutReason | null };

export interface SessionStoreOptions {
  /** Renews the tokens; rejects with an error `isFatal` recognises when the session is over. */
  refresh: (refreshToken: string) => Promise<SessionTokens>;
  isFatal: (error: unknown) => boolean;
  storage?: Storage;
  now?: () => number;
  /** Storage key; one per user pool client so two stacks on one origin do not mix. */
  key?: string;
}

/** Renew this long before the ID token expires. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Treat the token as expired this long before Cognito's own expiry (clock skew, latency). */
export const EXPIRY_SKEW_MS = 30_000;
/** After a failed renewal that was not fatal (no network), try again after this long. */
export const RETRY_MS = 30_000;

const storedSchema = z.object({
  idToken: z.string().check(z.minLength(1)),
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.string().check(z.minLength(1)),
  expiresAt: z.number(),
});

export class SessionStore {
  private state: SessionState;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly storage: Storage | undefined;
  private readonly now: () => number;
  private readonly key: string;

  constructor(private readonly options: SessionStoreOptions) {
    this.storage = options.storage ?? (typeof localStorage === 'undefined' ? undefined : localStorage);
    this.now = options.now ?? Date.now;
    this.key = options.key ?? 'wecare.session';
    const tokens = this.read();
    this.state = tokens ? { status: 'signedIn', tokens } : { status: 'signedOut', reason: null };
  }

  /** Starts the renewal timer and the cross-tab listener; returns the cleanup. */
  start(): () => void {
    this.schedule();
    const onStorage = (event: StorageEvent) => {
      if (event.key !== this.key) return;
      const tokens = this.read();
      this.set(tokens ? { status: 'signedIn', tokens } : { status: 'signedOut', reason: 'signedOut' });
    };
    window.addEventListener('storage', onStorage);
    return () => {
      window.removeEventListener('storage', onStorage);
      this.clearTimer();
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionState => this.state;

  signIn(tokens: SessionTokens): void {
    this.write(tokens);
    this.set({ status: 'signedIn', tokens });
  }

  signOut(reason: SignedOutReason = 'signedOut'): void {
    if (this.state.status === 'signedOut') return;
    this.write(null);
    this.set({ status: 'signedOut', reason });
  }

  /** An ID token the API will accept, renewed first if it is (about to be) expired. */
  async getIdToken(): Promise<string | null> {
    if (this.state.status !== 'signedIn') return null;
    if (this.state.tokens.expiresAt - EXPIRY_SKEW_MS > this.now()) return this.state.tokens.idToken;
    return this.renew();
  }

  /** Renews the tokens now; concurrent callers share one request. */
  renew(): Promise<string | null> {
    if (this.state.status !== 'signedIn') return Promise.resolve(null);
    if (this.refreshing) return this.refreshing;
    const { refreshToken } = this.state.tokens;
    this.refreshing = this.options
      .refresh(refreshToken)
      .then(
        (tokens) => {
          // Signed out (or in as someone else) while the request was in flight: drop the answer.
          if (this.state.status !== 'signedIn' || this.state.tokens.refreshToken !== refreshToken) return null;
          this.signIn(tokens);
          return tokens.idToken;
        },
        (error: unknown) => {
          if (this.options.isFatal(error)) {
            this.signOut('expired');
            return null;
          }
          this.schedule(RETRY_MS);
          // No answer: the current token may still be good for a while.
          if (this.state.status === 'signedIn' && this.state.tokens.expiresAt > this.now()) {
            return this.state.tokens.idToken;
          }
          throw error;
        },
      )
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private set(state: SessionState): void {
    this.state = state;
    this.schedule();
    for (const listener of this.listeners) listener();
  }

  private schedule(delay?: number): void {
    this.clearTimer();
    if (this.state.status !== 'signedIn') return;
    const due = delay ?? Math.max(0, this.state.tokens.expiresAt - REFRESH_MARGIN_MS - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.renew().catch(() => undefined);
    }, due);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private read(): SessionTokens | null {
    const raw = this.storage?.getItem(this.key);
    if (!raw) return null;
    try {
      const parsed = storedSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private write(tokens: SessionTokens | null): void {
    if (tokens) this.storage?.setItem(this.key, JSON.stringify(tokens));
    else this.storage?.removeItem(this.key);
  }
}
