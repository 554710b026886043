import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Settings } from '../api/settings';

const admin = { ...users.Admin, permissions: [...users.Admin.permissions, 'manageDlq', 'readAudit', 'manageConfig'] };
/** The page is its own chunk: its first render waits for the import, slow on a busy machine. */
const loaded = { timeout: 5_000 };
const ZONES = ['America/New_York', 'Asia/Kolkata', 'Europe/London', 'UTC'];

/** The settings of tenant `wecare` as the API answers them before anyone saved. */
function aSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    deployment: { environment: 'local', sendMode: 'LIVE' },
    senders: [
      { senderId: 'pn-2', channel: 'whatsapp', label: '+91 99033 00044', default: false, ratePerSecond: 80, wabaId: 'waba-1' },
      { senderId: 'pn-1', channel: 'whatsapp', label: '+91 93309 94400', default: true, ratePerSecond: 80, wabaId: 'waba-1' },
      { senderId: 'pool-wecare-sms', channel: 'sms', label: 'WECARE SMS pool', default: true, ratePerSecond: 5, wabaId: null },
      { senderId: 'care@wecare.digital', channel: 'email', label: 'care@wecare.digital', default: true, ratePerSecond: 10, wabaId: null },
    ],
    tiers: [{ wabaId: 'waba-1', numbers: ['+91 93309 94400', '+91 99033 00044'], used: 3, limit: 250, warnAt: 200 }],
    config: { aiAutomation: false, alertRecipients: ['ops@example.com'], quietHours: null },
    quietNow: null,
    version: 0,
    updatedAt: null,
    updatedBy: null,
    ...overrides,
  };
}

function routes(overrides: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/me': () => json(200, admin),
    'GET /api/settings': () => json(200, aSettings()),
    'GET /api/settings/time-zones': () => json(200, { items: ZONES }),
    ...overrides,
  };
}

async function openForm() {
  return screen.findByRole('form', { name: 'Your organisation’s settings' }, loaded);
}

describe('SettingsPage', () => {
  it('shows the deployment, the senders per channel with their rates, and the tier against its limit', async () => {
    renderApp({ path: '/settings', as: 'Admin', routes: routes() });
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' }, loaded)).toBeInTheDocument();
    const deployment = await screen.findByRole('region', { name: 'Deployment' });
    expect(deployment).toHaveTextContent('Local');
    expect(deployment).toHaveTextContent('Live (LIVE)');

    const whatsapp = screen.getByRole('table', { name: 'WhatsApp senders' });
    const rows = within(whatsapp).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('+91 93309 94400');
    expect(rows[0]).toHaveTextContent('Default');
    expect(rows[0]).toHaveTextContent('80 per second');
    expect(rows[1]).not.toHaveTextContent('Default');
    expect(screen.getByRole('table', { name: 'SMS senders' })).toHaveTextContent('5 per second');
    expect(screen.getByRole('table', { name: 'Email senders' })).toHaveTextContent('10 per second');

    const meter = screen.getByRole('meter', { name: /WhatsApp tier use/ });
    expect(meter).toHaveAttribute('aria-valuenow', '3');
    expect(meter).toHaveAttribute('aria-valuemax', '250');
    expect(meter).toHaveClass('tier__meter--ok');
    expect(screen.getByRole('region', { name: 'WhatsApp tier' })).toHaveTextContent('A warning shows from 200.');
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('Settings');

    const form = await openForm();
    expect(form).toHaveTextContent('Off: AI replies are drafted for approval.');
    expect(form).toHaveTextContent('Campaigns hold during these hours and resume when they end.');
    expect(form).toHaveTextContent('Never saved: these are the defaults.');
    expect(within(form).getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  it('makes a dry run stand out, warns on a tier past its warning level, and says when quiet hours hold campaigns now', async () => {
    const until = new Date(Date.now() + 3 * 3600_000).toISOString();
    renderApp({
      path: '/settings',
      as: 'Admin',
      routes: routes({
        'GET /api/me': () => json(200, { ...admin, deployment: { environment: 'staging', sendMode: 'DRY_RUN' } }),
        'GET /api/settings': () =>
          json(
            200,
            aSettings({
              deployment: { environment: 'staging', sendMode: 'DRY_RUN' },
              tiers: [{ wabaId: 'waba-1', numbers: ['+91 93309 94400'], used: 210, limit: 250, warnAt: 200 }],
              config: { aiAutomation: false, alertRecipients: [], quietHours: { start: '21:00', end: '08:00', timeZone: 'UTC' } },
              quietNow: { until },
            }),
          ),
      }),
    });
    const deployment = await screen.findByRole('region', { name: 'Deployment' }, loaded);
    expect(deployment).toHaveTextContent('Staging');
    expect(deployment).toHaveTextContent('Dry run (DRY_RUN)');
    expect(deployment).toHaveTextContent('nothing is sent to customers (environment staging)');
    expect(screen.getByRole('meter', { name: /WhatsApp tier use/ })).toHaveClass('tier__meter--warning');
    expect(screen.getByRole('region', { name: 'WhatsApp tier' })).toHaveTextContent('Past the warning level of 200');
    expect(await screen.findByText(/^Quiet hours now: campaigns resume at /)).toBeInTheDocument();
  });

  it('says what went wrong when the settings cannot be loaded, and loads them on Try again', async () => {
    const user = userEvent.setup();
    let fail = true;
    renderApp({
      path: '/settings',
      as: 'Admin',
      routes: routes({ 'GET /api/settings': () => (fail ? json(403, { error: { code: 'FORBIDDEN', message: 'admins only' } }) : json(200, aSettings())) }),
    });
    const alert = await screen.findByRole('alert', {}, loaded);
    expect(alert).toHaveTextContent('Settings could not be loaded.');
    expect(alert).toHaveTextContent('Your role does not allow this action.');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await openForm()).toBeInTheDocument();
  });

  it('shows a skeleton while the settings load', async () => {
    let answer: (r: Response) => void = () => undefined;
    renderApp({
      path: '/settings',
      as: 'Admin',
      routes: routes({ 'GET /api/settings': () => new Promise<Response>((resolve) => (answer = resolve)) }),
    });
    await screen.findByRole('heading', { level: 1, name: 'Settings' }, loaded);
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
    expect(document.querySelector('.settings-skeleton')).not.toBeNull();
    answer(json(200, aSettings()));
    expect(await openForm()).toBeInTheDocument();
  });

  it('saves the whole config with the version read, and says who saved when', async () => {
    const user = userEvent.setup();
    const saved = aSettings({
      config: { aiAutomation: true, alertRecipients: ['ops@example.com', 'oncall@example.com'], quietHours: { start: '22:30', end: '07:00', timeZone: 'Europe/London' } },
      version: 3,
      updatedAt: new Date().toISOString(),
      updatedBy: 'admin@wecare.digital',
    });
    const { requests } = renderApp({
      path: '/settings',
      as: 'Admin',
      routes: routes({
        'GET /api/settings': () => json(200, aSettings({ version: 2, updatedAt: '2026-12-01T09:00:00Z', updatedBy: 'admin@wecare.digital' })),
        'PUT /api/settings': () => json(200, saved),
      }),
    });
    const form = await openForm();
    const save = within(form).getByRole('button', { name: 'Save settings' });

    await user.click(within(form).getByRole('switch', { name: 'AI automation' }));
    expect(form).toHaveTextContent('On: the assistant replies to customers without waiting for an operator.');
    expect(save).toBeEnabled();
    expect(form).toHaveTextContent('Unsaved changes');
    // Switching it back is no change at all.
    await user.click(within(form).getByRole('switch', { name: 'AI automation' }));
    expect(save).toBeDisabled();
    await user.click(within(form).getByRole('switch', { name: 'AI automation' }));

    await user.type(within(form).getByLabelText('Add a recipient'), 'OnCall@Example.com{Enter}');
    expect(within(form).getByRole('list', { name: 'Alert recipients' })).toHaveTextContent('oncall@example.com');

    await user.click(within(form).getByRole('radio', { name: 'Hold during quiet hours' }));
    fireEvent.change(within(form).getByLabelText('Start'), { target: { value: '22:30' } });
    fireEvent.change(within(form).getByLabelText('End'), { target: { value: '07:00' } });
    await user.selectOptions(within(form).getByLabelText('Time zone'), 'Europe/London');
    await user.click(save);

    expect(await within(form).findByText(/^Settings saved by admin@wecare\.digital at /)).toBeInTheDocument();
    const put = requests.find((r) => r.method === 'PUT' && r.url.pathname === '/api/settings');
    expect(put?.body).toEqual({ version: 2, config: saved.config });
    expect(save).toBeDisabled();
    expect(form).toHaveTextContent(/Last saved by admin@wecare\.digital on /);
    expect(form).not.toHaveTextContent('Unsaved changes');
  });

  it('checks the form before sending it, and puts each message next to its field', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({ path: '/settings', as: 'Admin', routes: routes() });
    const form = await openForm();
    const add = within(form).getByLabelText('Add a recipient');
    await user.type(add, 'not-an-address');
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    expect(within(form).getByText('Enter an email address like name@example.com.')).toBeInTheDocument();
    expect(add).toHaveAttribute('aria-invalid', 'true');
    await user.clear(add);
    await user.type(add, 'ops@example.com');
    await user.click(within(form).getByRole('button', { name: 'Add' }));
    expect(within(form).getByText('ops@example.com already receives alerts.')).toBeInTheDocument();
    await user.clear(add);

    await user.click(within(form).getByRole('radio', { name: 'Hold during quiet hours' }));
    fireEvent.change(within(form).getByLabelText('End'), { target: { value: '21:00' } });
    await user.click(within(form).getByRole('button', { name: 'Save settings' }));
    expect(within(form).getByText('Quiet hours must end at another time than they start.')).toBeInTheDocument();
    expect(within(form).getByLabelText('End')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText('End')).toHaveFocus();
    expect(within(form).getByRole('alert')).toHaveTextContent('Some settings need a correction before saving.');
    expect(requests.some((r) => r.method === 'PUT')).toBe(false);

    fireEvent.change(within(form).getByLabelText('End'), { target: { value: '08:00' } });
    expect(within(form).queryByText('Quiet hours must end at another time than they start.')).not.toBeInTheDocument();
  });

  it('shows the messages of a refused save next to their fields', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/settings',
      as: 'Admin',
      routes: routes({
        'GET /api/settings': () =>
          json(200, aSettings({ config: { aiAutomation: false, alertRecipients: ['ops@example.com', 'desk@example.com'], quietHours: { start: '21:00', end: '08:00', timeZone: 'UTC' } } })),
        'PUT /api/settings': () =>
          json(400, { error: { code: 'VALIDATION_FAILED', message: 'config.alertRecipients[1]: is not a mailbox we can reach' } }),
      }),
    });
    const form = await openForm();
    await user.click(within(form).getByRole('switch', { name: 'AI automation' }));
    await user.click(within(form).getByRole('button', { name: 'Save settings' }));

    const recipient = await within(form).findByRole('button', { name: 'Remove desk@example.com' });
    expect(recipient).toHaveAccessibleDescription('Is not a mailbox we can reach.');
    expect(within(form).getByRole('alert')).toHaveTextContent('The settings were not saved.');
    expect(recipient).toHaveFocus();
  });

  it('says when someone else saved meanwhile, and Reload shows their settings', async () => {
    const user = userEvent.setup();
    let current = aSettings({ version: 3, updatedAt: '2026-12-04T21:00:00Z', updatedBy: 'admin@wecare.digital' });
    const theirs = aSettings({
      config: { aiAutomation: false, alertRecipients: ['theirs@example.com'], quietHours: null },
      version: 4,
      updatedAt: '2026-12-04T21:30:00Z',
      updatedBy: 'other-admin@wecare.digital',
    });
    const { requests } = renderApp({
      path: '/settings',
      as: 'Admin',
      routes: routes({
        'GET /api/settings': () => json(200, current),
        'PUT /api/settings': () => {
          current = theirs;
          return json(409, { error: { code: 'CONFLICT', message: 'someone saved the settings since you read them (version 3); reload to see their change' } });
        },
      }),
    });
    const form = await openForm();
    await user.click(within(form).getByRole('button', { name: 'Remove ops@example.com' }));
    await user.click(within(form).getByRole('button', { name: 'Save settings' }));
    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('Someone else saved settings since you opened this page.');
    expect(requests.find((r) => r.method === 'PUT')?.body).toMatchObject({ version: 3 });

    await user.click(within(alert).getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(within(form).getByRole('list', { name: 'Alert recipients' })).toHaveTextContent('theirs@example.com'));
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    expect(form).toHaveTextContent(/Last saved by other-admin@wecare\.digital on /);
    expect(within(form).getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  it('is not offered to an Operator, and says so at its address', async () => {
    const { requests } = renderApp({ path: '/settings', as: 'Operator' });
    expect(await screen.findByText('Your role does not allow you to manage settings.', {}, loaded)).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main' })).not.toHaveTextContent('Settings');
    expect(requests.some((r) => r.url.pathname.startsWith('/api/settings'))).toBe(false);
  });
});
