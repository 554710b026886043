import { screen } from '@testing-library/react';
import { json } from '@/testing/fake-fetch';
import { users, type TestRole } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

/** A page of the shell that needs nothing but `/api/me`. */
const ANY_PAGE = '/no-such-page';
const DRY_RUN = 'Dry run — messages are recorded but nothing is sent to customers (environment staging).';

describe('the dry-run banner', () => {
  for (const role of ['Viewer', 'Operator', 'Admin'] as TestRole[]) {
    it(`tells a${role === 'Viewer' ? '' : 'n'} ${role} on every page that nothing is sent in a dry run`, async () => {
      renderApp({
        path: ANY_PAGE,
        as: role,
        routes: { 'GET /api/me': () => json(200, { ...users[role], deployment: { environment: 'staging', sendMode: 'DRY_RUN' } }) },
      });
      await screen.findByRole('heading', { level: 1, name: 'Page not found' });
      const banner = screen.getByRole('status');
      expect(banner).toHaveTextContent(DRY_RUN);
      expect(screen.getByRole('main')).toContainElement(banner);
    });
  }

  it('shows nothing when the deployment sends, or does not say', async () => {
    for (const deployment of [{ environment: 'production', sendMode: 'LIVE' }, undefined]) {
      const view = renderApp({ path: ANY_PAGE, as: 'Operator', routes: { 'GET /api/me': () => json(200, { ...users.Operator, deployment }) } });
      await screen.findByRole('heading', { level: 1, name: 'Page not found' });
      expect(screen.queryByText(/Dry run/)).not.toBeInTheDocument();
      expect(screen.queryByRole('status')).not.toBeInTheDocument();
      view.unmount();
    }
  });
});
