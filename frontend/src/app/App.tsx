import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ConfigProvider } from '@/config/config-context';
import { SessionProvider } from '@/features/auth/session-context';
import { ApiClientProvider } from '@/lib/api-client-context';
import { routes } from './routes';
import type { AppServices } from './services';

/** Provides the services to every page; `router` defaults to the browser's address bar. */
export function App({ services, router }: { services: AppServices; router?: ReturnType<typeof createBrowserRouter> }) {
  const [appRouter] = useState(() => router ?? createBrowserRouter(routes));
  const { config, queryClient, session, api } = services;
  useEffect(() => session.start(), [session]);
  return (
    <ConfigProvider config={config}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider store={session}>
          <ApiClientProvider client={api}>
            <RouterProvider router={appRouter} />
          </ApiClientProvider>
        </SessionProvider>
      </QueryClientProvider>
    </ConfigProvider>
  );
}
