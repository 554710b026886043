// Renders the whole console (real router, session, API client) over a fake network, starting
// at `path`, optionally signed in.
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { createMemoryRouter } from 'react-router';
import { App } from '@/app/App';
import { routes } from '@/app/routes';
import { createAppServices } from '@/app/services';
import { fakeFetch, json, type Handler } from './fake-fetch';
import { storedSession, testConfig, users, type TestRole } from './fixtures';

export interface RenderAppOptions {
  path: string;
  /** Signed in with this role (GET /api/me answers accordingly); omitted = signed out. */
  as?: TestRole;
  routes?: Record<string, Handler>;
}

export function renderApp({ path, as, routes: handlers = {} }: RenderAppOptions) {
  if (as) localStorage.setItem(`wecare.session.${testConfig.userPoolClientId}`, storedSession());
  const network = fakeFetch({
    ...(as ? { 'GET /api/me': () => json(200, users[as]) } : {}),
    ...handlers,
  });
  vi.stubGlobal('fetch', network.fetch);
  const services = createAppServices(testConfig);
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(<App services={services} router={router} />);
  return { ...view, router, services, requests: network.requests, fetch: network.fetch };
}
