// Everything the app creates once at start from its settings: the query cache, the session, the
// API client that reads the session's token, and how a rejected session ends.
import type { QueryClient } from '@tanstack/react-query';
import type { AppConfig } from '@/config/config';
import { isSessionOver, refreshTokens } from '@/features/auth/api/initiate-auth';
import { SessionStore } from '@/features/auth/session';
import { ApiClient } from '@/lib/api-client';
import { createQueryClient } from '@/lib/query-client';

export interface AppServices {
  config: AppConfig;
  queryClient: QueryClient;
  session: SessionStore;
  api: ApiClient;
}

export function createAppServices(config: AppConfig): AppServices {
  const queryClient = createQueryClient();
  const session = new SessionStore({
    refresh: (refreshToken) => refreshTokens(config, refreshToken),
    isFatal: isSessionOver,
    key: `wecare.session.${config.userPoolClientId}`,
  });
  const api = new ApiClient({
    baseUrl: config.apiBase,
    getToken: () => session.getIdToken(),
    onSessionRejected: () => session.signOut('expired'),
  });
  // Nothing of one user's data survives their session.
  session.subscribe(() => {
    if (session.getSnapshot().status === 'signedOut') queryClient.clear();
  });
  return { config, queryClient, session, api };
}
