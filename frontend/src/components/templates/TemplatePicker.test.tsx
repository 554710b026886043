import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { MemoryRouter } from 'react-router';
import { ApiClient } from '@/lib/api-client';
import { ApiClientProvider } from '@/lib/api-client-context';
import { createQueryClient } from '@/lib/query-client';
import type { TemplateEntry, TemplateMessage } from '@/lib/whatsapp-templates';
import { fakeFetch, json, type Handler } from '@/testing/fake-fetch';
import { aTemplate, templateCatalogue } from '@/testing/fixtures';
import { TemplatePicker, type TemplatePickerProps } from './TemplatePicker';

type Change = [TemplateMessage | null, TemplateEntry | null];

function renderPicker({
  templates,
  routes = {},
  ...props
}: Partial<Omit<TemplatePickerProps, 'onChange'>> & { templates?: TemplateEntry[] | Handler; routes?: Record<string, Handler> }) {
  const network = fakeFetch({
    'GET /api/whatsapp/templates': typeof templates === 'function' ? templates : () => json(200, templateCatalogue(templates ?? [aTemplate()])),
    ...routes,
  });
  // The API client and the upload's PUT both use the global fetch.
  vi.stubGlobal('fetch', network.fetch);
  const api = new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok') });
  const changes: Change[] = [];
  function Harness() {
    const [value, setValue] = useState<TemplateMessage | null>(props.value ?? null);
    return (
      <TemplatePicker
        sender={props.sender}
        contact={props.contact}
        personalise={props.personalise}
        showErrors={props.showErrors}
        value={value}
        onChange={(next, entry) => {
          changes.push([next, entry]);
          setValue(next);
        }}
      />
    );
  }
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ApiClientProvider client={api}>
        <MemoryRouter>
          <Harness />
        </MemoryRouter>
      </ApiClientProvider>
    </QueryClientProvider>,
  );
  return { requests: network.requests, changes, last: () => changes[changes.length - 1]?.[0] };
}

const preview = () => screen.getByRole('figure', { name: 'Preview' });

describe('TemplatePicker', () => {
  it('lists the sender’s templates with category, language and status; only approved ones can be used, the others say why', async () => {
    const { requests } = renderPicker({
      sender: 'phone-1',
      templates: [
        aTemplate({ name: 'welcome', status: 'PENDING', category: 'MARKETING' }),
        aTemplate({ name: 'promo_autumn', status: 'REJECTED', rejectedReason: 'INVALID_FORMAT', category: 'MARKETING', language: 'en_GB' }),
        aTemplate({ name: 'order_update' }),
        aTemplate({ name: 'old_notice', status: 'PAUSED' }),
      ],
    });
    const list = await screen.findByRole('list', { name: 'Templates' });
    expect(requests[0]?.url.search).toBe('?sender=phone-1');
    const rows = within(list).getAllByRole('listitem');
    // Approved first, then by name.
    expect(rows.map((r) => r.querySelector('.tpl-option__name')?.textContent)).toEqual(['order_update', 'old_notice', 'promo_autumn', 'welcome']);
    expect(rows[0]).toHaveTextContent('Utility · en_US');
    expect(rows[0]).toHaveTextContent('Approved');
    expect(screen.getByRole('button', { name: 'Use order_update (en_US)' })).toBeEnabled();
    const rejected = screen.getByRole('button', { name: 'Use promo_autumn (en_GB)' });
    expect(rejected).toBeDisabled();
    expect(rejected).toHaveAccessibleDescription(/^WhatsApp rejected it: invalid format\. An Admin can correct it/);
    expect(rows[2]).toHaveTextContent('Rejected');
    expect(screen.getByRole('button', { name: 'Use welcome (en_US)' })).toHaveAccessibleDescription(/still reviewing it/);
    expect(screen.getByRole('button', { name: 'Use old_notice (en_US)' })).toHaveAccessibleDescription(/paused it/);
    expect(screen.getByText(/4 templates, 1 approved/)).toBeInTheDocument();
  });

  it('searches by name and pages the list', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 12 }, (_, i) => aTemplate({ name: `notice_${String(i + 1).padStart(2, '0')}` }));
    renderPicker({ templates: [...many, aTemplate({ name: 'order_update' })] });
    const list = await screen.findByRole('list', { name: 'Templates' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    const pages = screen.getByRole('navigation', { name: 'Pages of templates' });
    expect(pages).toHaveTextContent('Page 1 of 2');
    await user.click(within(pages).getByRole('button', { name: 'Next' }));
    expect(within(screen.getByRole('list', { name: 'Templates' })).getAllByRole('listitem')).toHaveLength(3);

    await user.type(screen.getByRole('searchbox', { name: 'Search templates' }), 'ORDER');
    expect(within(screen.getByRole('list', { name: 'Templates' })).getAllByRole('listitem')).toHaveLength(1);
    expect(screen.queryByRole('navigation', { name: 'Pages of templates' })).not.toBeInTheDocument();
    await user.type(screen.getByRole('searchbox', { name: 'Search templates' }), 'x');
    expect(screen.getByText('No template’s name contains “ORDERx”.')).toBeInTheDocument();
  });

  it('prefills named variables from the contact, and the preview fills the values in and marks the missing ones', async () => {
    const user = userEvent.setup();
    const template = aTemplate({
      name: 'receipt',
      parameterFormat: 'NAMED',
      header: { format: 'TEXT', text: 'Hello {{first_name}}' },
      body: 'Your order {{order_id}} is confirmed; the receipt went to {{email}}.',
      footer: 'WECARE.DIGITAL',
      buttons: [{ type: 'URL', text: 'Track it', url: 'https://x.test' }, { type: 'QUICK_REPLY', text: 'Thanks' }],
      variables: [
        { name: 'first_name', component: 'HEADER', sample: 'Ada' },
        { name: 'order_id', component: 'BODY', sample: 'A-42' },
        { name: 'email', component: 'BODY', sample: 'ada@example.com' },
      ],
    });
    const { last } = renderPicker({ templates: [template], contact: { name: 'Grace Brewster Hopper', email: 'grace@example.com', phone: '+14155550102' } });
    await user.click(await screen.findByRole('button', { name: 'Use receipt (en_US)' }));

    const first = screen.getByRole('textbox', { name: 'Header {{first_name}}' });
    expect(first).toHaveValue('Grace');
    expect(first).toHaveAccessibleDescription('From the first word of the contact’s name.');
    const order = screen.getByRole('textbox', { name: '{{order_id}}' });
    expect(order).toHaveValue('');
    expect(order).toHaveAttribute('placeholder', 'A-42');
    expect(screen.getByRole('textbox', { name: '{{email}}' })).toHaveValue('grace@example.com');
    expect(last()).toEqual({ name: 'receipt', language: 'en_US', parameters: ['Grace', '', 'grace@example.com'] });

    expect(preview()).toHaveTextContent('Hello Grace');
    expect(preview()).toHaveTextContent('Your order {{order_id}} (not filled in) is confirmed; the receipt went to grace@example.com.');
    expect(preview().querySelector('mark')).toHaveTextContent('{{order_id}}');
    expect(preview()).toHaveTextContent('WECARE.DIGITAL');
    expect(within(preview()).getByRole('list', { name: 'Buttons' })).toHaveTextContent('Track it');

    await user.type(order, 'B-7');
    expect(preview()).toHaveTextContent('Your order B-7 is confirmed');
    expect(preview().querySelector('mark')).toBeNull();
    expect(last()?.parameters).toEqual(['Grace', 'B-7', 'grace@example.com']);
  });

  it('emits the values in the order of the template’s variables, the header’s first', async () => {
    const user = userEvent.setup();
    const template = aTemplate({
      header: { format: 'TEXT', text: 'Order {{1}}' },
      variables: [
        { name: '1', component: 'HEADER', sample: 'A-42' },
        { name: '1', component: 'BODY', sample: 'Ada' },
        { name: '2', component: 'BODY', sample: 'A-42' },
      ],
    });
    const { last, changes } = renderPicker({ templates: [template], contact: { name: 'Ada' } });
    await user.click(await screen.findByRole('button', { name: 'Use order_update (en_US)' }));
    // Positional variables are never guessed from the contact.
    expect(changes[0]?.[0]?.parameters).toEqual(['', '', '']);
    expect(changes[0]?.[1]?.name).toBe('order_update');
    await user.type(screen.getByRole('textbox', { name: '{{2}}' }), 'B-7');
    await user.type(screen.getByRole('textbox', { name: 'Header {{1}}' }), 'No. 7');
    await user.type(screen.getByRole('textbox', { name: '{{1}}' }), 'Ada');
    expect(last()).toEqual({ name: 'order_update', language: 'en_US', parameters: ['No. 7', 'Ada', 'B-7'] });
    expect(preview()).toHaveTextContent('Order No. 7Hi Ada, your order B-7 ships today.');
  });

  it('marks empty values once asked to, and goes back to the list with “Choose another template”', async () => {
    const user = userEvent.setup();
    const { last } = renderPicker({ showErrors: true, value: { name: 'order_update', language: 'en_US', parameters: ['Ada', ''] } });
    const second = await screen.findByRole('textbox', { name: '{{2}}' });
    expect(second).toHaveAccessibleDescription('Fill this in.');
    expect(screen.getByRole('textbox', { name: '{{1}}' })).toHaveValue('Ada');
    await user.click(screen.getByRole('button', { name: 'Choose another template' }));
    expect(last()).toBeNull();
    expect(await screen.findByRole('list', { name: 'Templates' })).toBeInTheDocument();
    expect(screen.getByText('Choose a template.')).toBeInTheDocument();
  });

  it('wants the media of an image header uploaded: checks the file, uploads it and emits its id', async () => {
    const user = userEvent.setup({ applyAccept: false });
    const template = aTemplate({ name: 'catalogue_photo', header: { format: 'IMAGE' }, body: 'New arrivals this week.', variables: [] });
    const { requests, last } = renderPicker({
      templates: [template],
      showErrors: true,
      routes: {
        'POST /api/media/uploads': () => json(201, { uploadUrl: 'https://media.test/put?sig', s3Key: 'media/wecare/photo-1', kind: 'image', expiresAt: 'x' }),
        'PUT /put': () => new Response(null, { status: 200 }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Use catalogue_photo (en_US)' }));
    const input = screen.getByLabelText('Header image');
    expect(input).toHaveAccessibleDescription(/A JPEG or PNG image of up to 5 MB.*Upload the header’s image\./);
    expect(preview()).toHaveTextContent('Image header');

    await user.upload(input, new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    expect(screen.getByText(/“notes.txt” cannot be this template’s header\. A JPEG or PNG image/)).toBeInTheDocument();
    expect(requests.some((r) => r.url.pathname === '/api/media/uploads')).toBe(false);

    await user.upload(input, new File(['png-bytes'], 'photo.png', { type: 'image/png' }));
    expect(await screen.findByText('“photo.png” is uploaded.')).toBeInTheDocument();
    expect(requests.find((r) => r.url.pathname === '/api/media/uploads')?.body).toEqual({ mimeType: 'image/png', size: 9, filename: 'photo.png' });
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.url.href).toBe('https://media.test/put?sig');
    expect(put?.headers.get('Content-Type')).toBe('image/png');
    expect(last()).toEqual({ name: 'catalogue_photo', language: 'en_US', parameters: [], headerMediaId: 'media/wecare/photo-1' });
    expect(input).not.toHaveAccessibleDescription(/Upload the header’s image/);
  });

  it('says when an upload fails, and sends no id', async () => {
    const user = userEvent.setup();
    const { last } = renderPicker({
      templates: [aTemplate({ name: 'brochure', header: { format: 'DOCUMENT' }, body: 'Our brochure.', variables: [] })],
      routes: {
        'POST /api/media/uploads': () => json(201, { uploadUrl: 'https://media.test/put?sig', s3Key: 'k', kind: 'document', expiresAt: 'x' }),
        'PUT /put': () => new Response(null, { status: 403 }),
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Use brochure (en_US)' }));
    await user.upload(screen.getByLabelText('Header document'), new File(['%PDF'], 'brochure.pdf', { type: 'application/pdf' }));
    expect(await screen.findByText('The file could not be uploaded (the file storage answered HTTP 403). Choose it again to retry.')).toBeInTheDocument();
    expect(last()).not.toHaveProperty('headerMediaId');
  });

  it('in bulk, fills each value with the same text for everyone or from the recipient', async () => {
    const user = userEvent.setup();
    const template = aTemplate({
      name: 'delivery',
      parameterFormat: 'NAMED',
      body: 'Hi {{name}}, order {{order}} arrives {{day}}.',
      variables: [
        { name: 'name', component: 'BODY', sample: 'Ada' },
        { name: 'order', component: 'BODY', sample: 'A-42' },
        { name: 'day', component: 'BODY', sample: 'Friday' },
      ],
    });
    const { last } = renderPicker({ templates: [template], personalise: true });
    await user.click(await screen.findByRole('button', { name: 'Use delivery (en_US)' }));
    // A variable named for a contact field comes from the recipient's contact.
    expect(screen.getByRole('combobox', { name: 'Fill {{name}} with' })).toHaveValue('name');
    expect(last()?.parameters).toEqual(['{{name}}', '', '']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Fill {{order}} with' }), 'column');
    await user.type(screen.getByRole('textbox', { name: 'CSV column for {{order}}' }), 'order_no');
    await user.type(screen.getByRole('textbox', { name: '{{day}}' }), 'tomorrow');
    expect(last()?.parameters).toEqual(['{{name}}', '{{order_no}}', 'tomorrow']);
    expect(preview()).toHaveTextContent('Hi {{name}}, order {{order_no}} arrives tomorrow.');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Fill {{name}} with' }), 'fixed');
    await user.type(screen.getByRole('textbox', { name: '{{name}}' }), 'friend');
    expect(last()?.parameters).toEqual(['friend', '{{order_no}}', 'tomorrow']);
  });

  it('says what to do when the number has no templates, or none approved', async () => {
    renderPicker({ templates: [] });
    expect(await screen.findByText('This WhatsApp number has no message templates yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Templates page' })).toHaveAttribute('href', '/templates');
  });

  it('says so when none is approved', async () => {
    renderPicker({ templates: [aTemplate({ status: 'PENDING' })] });
    expect(await screen.findByText('None of these templates is approved, so none can be sent yet.')).toBeInTheDocument();
  });

  it('offers to try again when the catalogue cannot be loaded', async () => {
    const user = userEvent.setup();
    let calls = 0;
    renderPicker({
      templates: () => {
        calls += 1;
        return calls === 1 ? json(403, { error: { code: 'FORBIDDEN', message: 'no' } }) : json(200, templateCatalogue([aTemplate()]));
      },
    });
    expect(await screen.findByText('The templates could not be loaded.')).toBeInTheDocument();
    expect(screen.getByText('Your role does not allow this action.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Use order_update (en_US)' })).toBeEnabled());
  });
});
