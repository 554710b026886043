import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler } from '@/testing/fake-fetch';
import { aTemplate, sendersPage, templateCatalogue, type TestRole } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { LibraryItem } from '../api/get-library';

const item = (overrides: Partial<LibraryItem> = {}): LibraryItem => ({
  libraryName: 'appointment_reminder',
  category: 'UTILITY',
  language: 'en_US',
  header: { format: 'TEXT', text: 'Appointment reminder' },
  body: 'Hi {{1}}, this is a reminder of your appointment on {{2}}.',
  footer: null,
  buttons: [{ type: 'QUICK_REPLY', text: 'Confirm' }],
  variables: [
    { name: '1', component: 'BODY', sample: 'Ada' },
    { name: '2', component: 'BODY', sample: '20 Nov' },
  ],
  ...overrides,
});

function renderLibrary({ as = 'Admin', routes = {} }: { as?: TestRole; routes?: Record<string, Handler> } = {}) {
  return renderApp({
    path: '/templates/library',
    as,
    routes: {
      'GET /api/senders': () => json(200, sendersPage()),
      'GET /api/whatsapp/template-library': (r) =>
        json(200, {
          items: r.url.searchParams.get('q') === 'delivery' ? [item({ libraryName: 'delivery_update', category: 'UTILITY' })] : [item(), item({ libraryName: 'payment_due', language: 'en_GB' })],
        }),
      'GET /api/whatsapp/templates': () => json(200, templateCatalogue([aTemplate()])),
      'GET /api/whatsapp/template-usage': () => json(200, { days: [] }),
      ...routes,
    },
  });
}

describe('TemplateLibraryPage', () => {
  it('is for Admins only', async () => {
    const { requests } = renderLibrary({ as: 'Operator' });
    expect(await screen.findByText('Your role does not allow you to use the template library.')).toBeInTheDocument();
    expect(requests.some((r) => r.url.pathname === '/api/whatsapp/template-library')).toBe(false);
  });

  it('shows the library with previews filled with the samples, and searches it', async () => {
    const user = userEvent.setup();
    const { requests } = renderLibrary();
    const list = await screen.findByRole('list', { name: 'Library templates' });
    expect(within(list).getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['appointment_reminder', 'payment_due']);
    expect(within(list).getByRole('figure', { name: 'Preview of appointment_reminder' })).toHaveTextContent(
      'Appointment reminderHi Ada, this is a reminder of your appointment on 20 Nov.',
    );
    await user.type(screen.getByRole('searchbox', { name: 'Search the library' }), 'delivery');
    expect(await screen.findByRole('heading', { name: 'delivery_update' })).toBeInTheDocument();
    expect(screen.getByText('1 template match “delivery”.')).toBeInTheDocument();
    expect(requests.filter((r) => r.url.pathname === '/api/whatsapp/template-library').map((r) => r.url.searchParams.get('q'))).toContain('delivery');
  });

  it('copies one under a name and language of the Admin’s choosing', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderLibrary({
      routes: {
        'POST /api/whatsapp/templates/from-library': (r) => {
          const body = r.body as { name: string; language: string };
          return json(201, { template: aTemplate({ name: body.name, language: body.language, status: 'PENDING' }) });
        },
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Use this: payment_due (en_GB)' }));
    const dialog = screen.getByRole('dialog', { name: 'Use “payment_due”' });
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    expect(name).toHaveValue('payment_due');
    expect(within(dialog).getByRole('combobox', { name: 'Language' })).toHaveValue('en_GB');
    await user.clear(name);
    await user.type(name, 'Payment Due');
    expect(name).toHaveAccessibleDescription(/Use only lowercase letters/);
    await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
    expect(requests.some((r) => r.url.pathname === '/api/whatsapp/templates/from-library')).toBe(false);

    await user.clear(name);
    await user.type(name, 'payment_due_uk');
    await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/templates'));
    expect(requests.find((r) => r.url.pathname === '/api/whatsapp/templates/from-library')?.body).toEqual({
      libraryName: 'payment_due',
      name: 'payment_due_uk',
      language: 'en_GB',
    });
    expect(await screen.findByText('“payment_due_uk” (en_GB) was created from the library and submitted to WhatsApp for review.')).toBeInTheDocument();
  });

  describe('a template with a URL button and a call button', () => {
    const withTargets = item({
      libraryName: 'order_help',
      buttons: [
        { type: 'URL', text: 'View order', url: 'https://www.example.com/{{1}}' },
        { type: 'QUICK_REPLY', text: 'Thanks' },
        { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+15550051234' },
        { type: 'URL', text: 'Help', url: 'https://www.example.com/help' },
      ],
    });
    const render = () =>
      renderLibrary({
        routes: {
          'GET /api/whatsapp/template-library': () => json(200, { items: [withTargets] }),
          'POST /api/whatsapp/templates/from-library': (r) => {
            const body = r.body as { name: string; language: string };
            return json(201, { template: aTemplate({ name: body.name, language: body.language, status: 'PENDING' }) });
          },
        },
      });
    const posted = (requests: ReturnType<typeof render>['requests']) => requests.filter((r) => r.url.pathname === '/api/whatsapp/templates/from-library');

    it('asks for each button’s link or number, empty with the library’s example as placeholder, and sends nothing without them', async () => {
      const user = userEvent.setup();
      const { requests } = render();
      await user.click(await screen.findByRole('button', { name: 'Use this: order_help (en_US)' }));
      const dialog = screen.getByRole('dialog', { name: 'Use “order_help”' });
      const link = within(dialog).getByRole('textbox', { name: 'Link for “View order”' });
      const phone = within(dialog).getByRole('textbox', { name: 'Phone number for “Call us”' });
      const help = within(dialog).getByRole('textbox', { name: 'Link for “Help”' });
      expect(link).toHaveValue('');
      expect(link).toHaveAttribute('placeholder', 'https://www.example.com/{{1}}');
      expect(link).toHaveAccessibleDescription('The web address the button opens. End it with {{1}} to add a part per message.');
      expect(phone).toHaveValue('');
      expect(phone).toHaveAccessibleDescription('In international form, e.g. +14155550100.');
      expect(within(dialog).queryByRole('textbox', { name: /^Link for “Thanks”/ })).not.toBeInTheDocument();
      expect(within(dialog).queryByRole('textbox', { name: /^Sample link/ })).not.toBeInTheDocument();
      // No error before an attempt.
      expect(link).not.toHaveAttribute('aria-invalid');

      await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
      expect(link).toHaveAttribute('aria-invalid', 'true');
      expect(link).toHaveAccessibleDescription(/Enter the web address the button opens\.$/);
      expect(phone).toHaveAccessibleDescription(/Enter the phone number the button calls\.$/);
      expect(help).toHaveAccessibleDescription(/Enter the web address the button opens\.$/);

      await user.type(phone, '+1 415 555 0100');
      await user.click(link);
      await user.paste('https://wecare.example/o/{{1}}');
      const sample = within(dialog).getByRole('textbox', { name: 'Sample link for “View order”' });
      expect(phone).toHaveAccessibleDescription(/Enter the number in international form/);
      expect(sample).toHaveAccessibleDescription(/Give a sample link/);
      await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
      expect(posted(requests)).toEqual([]);
      expect(screen.getByRole('dialog', { name: 'Use “order_help”' })).toBeInTheDocument();
    });

    it('sends the links and the number in the order of the buttons, the sample link only for a link ending with {{1}}', async () => {
      const user = userEvent.setup();
      const { requests, router } = render();
      await user.click(await screen.findByRole('button', { name: 'Use this: order_help (en_US)' }));
      const dialog = screen.getByRole('dialog', { name: 'Use “order_help”' });
      await user.click(within(dialog).getByRole('textbox', { name: 'Link for “View order”' }));
      await user.paste('https://wecare.example/o/{{1}}');
      await user.type(within(dialog).getByRole('textbox', { name: 'Sample link for “View order”' }), 'https://wecare.example/o/1234');
      await user.type(within(dialog).getByRole('textbox', { name: 'Phone number for “Call us”' }), ' +14155550100 ');
      await user.type(within(dialog).getByRole('textbox', { name: 'Link for “Help”' }), 'https://wecare.example/help');
      await user.click(within(dialog).getByRole('button', { name: 'Create template' }));

      await waitFor(() => expect(router.state.location.pathname).toBe('/templates'));
      expect(posted(requests).map((r) => r.body)).toEqual([
        {
          libraryName: 'order_help',
          name: 'order_help',
          language: 'en_US',
          buttons: [
            { type: 'URL', url: 'https://wecare.example/o/{{1}}', urlExample: 'https://wecare.example/o/1234' },
            { type: 'PHONE_NUMBER', phoneNumber: '+14155550100' },
            { type: 'URL', url: 'https://wecare.example/help' },
          ],
        },
      ]);
    });

    it('shows the API’s refusal of a button', async () => {
      const user = userEvent.setup();
      renderLibrary({
        routes: {
          'GET /api/whatsapp/template-library': () => json(200, { items: [withTargets] }),
          'POST /api/whatsapp/templates/from-library': () =>
            json(400, { error: { code: 'VALIDATION_FAILED', message: 'The call button “Call us” needs a number WhatsApp can call' } }),
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Use this: order_help (en_US)' }));
      const dialog = screen.getByRole('dialog', { name: 'Use “order_help”' });
      await user.type(within(dialog).getByRole('textbox', { name: 'Link for “View order”' }), 'https://wecare.example/orders');
      await user.type(within(dialog).getByRole('textbox', { name: 'Phone number for “Call us”' }), '+14155550100');
      await user.type(within(dialog).getByRole('textbox', { name: 'Link for “Help”' }), 'https://wecare.example/help');
      await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
      expect(await within(dialog).findByText('The call button “Call us” needs a number WhatsApp can call. Correct it and try again.')).toBeInTheDocument();
    });
  });

  it('sends no buttons field for a template whose only buttons are quick replies', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderLibrary({
      routes: { 'POST /api/whatsapp/templates/from-library': () => json(201, { template: aTemplate({ name: 'appointment_reminder', status: 'PENDING' }) }) },
    });
    await user.click(await screen.findByRole('button', { name: 'Use this: appointment_reminder (en_US)' }));
    const dialog = screen.getByRole('dialog', { name: 'Use “appointment_reminder”' });
    expect(within(dialog).getAllByRole('textbox')).toEqual([within(dialog).getByRole('textbox', { name: 'Name' })]);
    await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/templates'));
    const body = requests.find((r) => r.url.pathname === '/api/whatsapp/templates/from-library')?.body;
    expect(body).toEqual({ libraryName: 'appointment_reminder', name: 'appointment_reminder', language: 'en_US' });
    expect(body).not.toHaveProperty('buttons');
  });

  it('keeps the dialog open with what went wrong', async () => {
    const user = userEvent.setup();
    renderLibrary({
      routes: { 'POST /api/whatsapp/templates/from-library': () => json(409, { error: { code: 'CONFLICT', message: 'taken' } }) },
    });
    await user.click(await screen.findByRole('button', { name: 'Use this: appointment_reminder (en_US)' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Create template' }));
    expect(await within(dialog).findByText(/A template named “appointment_reminder” already exists in this language/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
