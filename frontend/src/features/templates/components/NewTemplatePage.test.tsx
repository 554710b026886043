import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler, type RecordedRequest } from '@/testing/fake-fetch';
import { aTemplate, sendersPage, templateCatalogue, wecareSenders, type TestRole } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

function renderNew({ as = 'Admin', path = '/templates/new', routes = {} }: { as?: TestRole; path?: string; routes?: Record<string, Handler> } = {}) {
  return renderApp({
    path,
    as,
    routes: {
      'GET /api/senders': () => json(200, sendersPage()),
      'GET /api/whatsapp/templates': () => json(200, templateCatalogue([aTemplate()])),
      'GET /api/whatsapp/template-usage': () => json(200, { days: [] }),
      ...routes,
    },
  });
}

const creates = (requests: RecordedRequest[]) => requests.filter((r) => r.method === 'POST' && r.url.pathname === '/api/whatsapp/templates');

describe('NewTemplatePage', () => {
  it('is for Admins only', async () => {
    renderNew({ as: 'Operator' });
    expect(await screen.findByText('Your role does not allow you to create templates.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Submit for review' })).not.toBeInTheDocument();
  });

  it('checks WhatsApp’s rules as the template is written, and asks a sample for each variable found', async () => {
    const user = userEvent.setup();
    const { requests } = renderNew();
    const name = await screen.findByRole('textbox', { name: 'Name' });
    await user.type(name, 'Order Update');
    // Said once the field is left.
    expect(name).not.toHaveAttribute('aria-invalid');
    await user.tab();
    expect(name).toHaveAccessibleDescription(/Use only lowercase letters, digits and underscores, e\.g\. order_update\./);

    const body = screen.getByRole('textbox', { name: 'Body' });
    await user.click(body);
    await user.paste('{{1}}, your order {{3}} ships today');
    await user.tab();
    expect(body).toHaveAccessibleDescription(/Number the variables from \{\{1\}\} without gaps: \{\{2\}\} is missing\./);
    expect(body).toHaveAccessibleDescription(/35 \/ 1,024 characters/);
    expect(screen.getByRole('textbox', { name: 'Sample for {{1}}' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Sample for {{3}}' })).toBeInTheDocument();

    await user.clear(body);
    await user.paste('{{1}}, your order {{2}} ships today');
    expect(body).toHaveAccessibleDescription(/The body cannot start with a variable: put some words before \{\{1\}\}\./);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Header' }), 'TEXT');
    await user.type(screen.getByRole('textbox', { name: 'Header text' }), 'x'.repeat(61));
    await user.type(screen.getByRole('textbox', { name: 'Footer (optional)' }), 'Reply {{{{1}} to stop');
    await user.click(screen.getByRole('button', { name: 'Add a button' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Button 1: kind' }), 'URL');
    await user.type(screen.getByRole('textbox', { name: 'Button 1: text' }), 'Track my parcel, please, now');

    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    const summary = await screen.findByText('Before you submit:');
    const list = within(summary.closest('.alert') as HTMLElement).getByRole('list');
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Use only lowercase letters, digits and underscores, e.g. order_update.',
      'Shorten the header to 60 characters or fewer.',
      'The body cannot start with a variable: put some words before {{1}}.',
      'The footer cannot have variables.',
      'Shorten the button’s text to 25 characters or fewer.',
      'Enter the web address the button opens.',
      'Give a sample for {{1}}: WhatsApp’s reviewers read it.',
      'Give a sample for {{2}}: WhatsApp’s reviewers read it.',
    ]);
    expect(screen.getByRole('textbox', { name: 'Button 1: web address' })).toHaveAccessibleDescription('Enter the web address the button opens.');
    expect(creates(requests)).toHaveLength(0);
  });

  it('submits a valid template with its samples, and the preview shows it as WhatsApp will', async () => {
    const user = userEvent.setup();
    const { requests, router } = renderNew({
      path: `/templates/new?sender=${wecareSenders.whatsappOther.senderId}`,
      routes: {
        'POST /api/whatsapp/templates': (r) => {
          const body = r.body as { name: string; language: string };
          return json(201, { template: aTemplate({ name: body.name, language: body.language, status: 'PENDING' }) });
        },
      },
    });
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'shipping_notice');
    await user.click(screen.getByRole('radio', { name: 'Marketing' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Language' }), 'hi');
    await user.click(screen.getByRole('radio', { name: 'Named: {{first_name}}' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Header' }), 'TEXT');
    await user.click(screen.getByRole('textbox', { name: 'Header text' }));
    await user.paste('For {{first_name}}');
    await user.click(screen.getByRole('textbox', { name: 'Body' }));
    await user.paste('Your parcel {{parcel}} is on its way.');
    await user.type(screen.getByRole('textbox', { name: 'Footer (optional)' }), 'WECARE.DIGITAL');
    await user.click(screen.getByRole('button', { name: 'Add a button' }));
    await user.type(screen.getByRole('textbox', { name: 'Button 1: text' }), 'Thanks');

    const preview = screen.getByRole('figure', { name: 'Preview' });
    expect(preview).toHaveTextContent('For {{first_name}} (not filled in)');
    await user.type(screen.getByRole('textbox', { name: 'Sample for {{first_name}}' }), 'Ada');
    await user.type(screen.getByRole('textbox', { name: 'Sample for {{parcel}}' }), 'P-42');
    expect(preview).toHaveTextContent('For AdaYour parcel P-42 is on its way.WECARE.DIGITAL');
    expect(within(preview).getByRole('list', { name: 'Buttons' })).toHaveTextContent('Thanks');

    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/templates'));
    expect(router.state.location.search).toBe(`?sender=${wecareSenders.whatsappOther.senderId}`);
    expect(creates(requests)[0]?.body).toEqual({
      sender: wecareSenders.whatsappOther.senderId,
      name: 'shipping_notice',
      language: 'hi',
      category: 'MARKETING',
      parameterFormat: 'NAMED',
      header: { format: 'TEXT', text: 'For {{first_name}}' },
      body: 'Your parcel {{parcel}} is on its way.',
      footer: 'WECARE.DIGITAL',
      buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }],
      samples: { first_name: 'Ada', parcel: 'P-42' },
    });
    expect(await screen.findByText('“shipping_notice” (hi) was submitted to WhatsApp for review. It can be sent once approved.')).toBeInTheDocument();
  });

  it('says what the API refused, in words', async () => {
    const user = userEvent.setup();
    renderNew({
      routes: {
        'POST /api/whatsapp/templates': () => json(409, { error: { code: 'CONFLICT', message: 'order_update (en_US) exists' } }),
      },
    });
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'order_update');
    await user.type(screen.getByRole('textbox', { name: 'Body' }), 'Your order has shipped.');
    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The template was not submitted.');
    expect(alert).toHaveTextContent('A template named “order_update” already exists in this language (or was deleted less than 30 days ago). Choose another name.');
  });

  it('takes any language code under “Another language”', async () => {
    const user = userEvent.setup();
    const { requests } = renderNew({ routes: { 'POST /api/whatsapp/templates': () => json(201, { template: aTemplate({ language: 'ja' }) }) } });
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'notice');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Language' }), 'other');
    const code = screen.getByRole('textbox', { name: 'Language code' });
    await user.type(code, 'Japanese');
    await user.tab();
    expect(code).toHaveAccessibleDescription(/Enter a language code such as en, en_US or pt_BR\./);
    await user.clear(code);
    await user.type(code, 'ja');
    await user.type(screen.getByRole('textbox', { name: 'Body' }), 'Hello.');
    await user.click(screen.getByRole('button', { name: 'Submit for review' }));
    await waitFor(() => expect(creates(requests)).toHaveLength(1));
    expect(creates(requests)[0]?.body).toMatchObject({ language: 'ja' });
  });
});
