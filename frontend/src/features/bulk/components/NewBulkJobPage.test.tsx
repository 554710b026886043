import { screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { json, type Handler, type RecordedRequest } from '@/testing/fake-fetch';
import { aContact, aJob, aTemplate, sendersPage, templateCatalogue, wecareSenders } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { Preview } from '../api/preview';

const ada = aContact({ name: 'Ada Lovelace', phone: '+14155550101', optInSms: true });
const grace = aContact({ name: 'Grace Hopper', phone: '+14155550102', optInSms: true });
const linus = aContact({ name: 'Linus', phone: '+14155550103', optInSms: false });

function previewOf(eligible: number, over: Partial<Preview> = {}): Preview {
  return {
    total: eligible + 1,
    eligible,
    excluded: { not_opted_in: 1, deleted: 0 },
    excludedContacts: { not_opted_in: [{ contactId: linus.contactId, name: 'Linus', address: '+1••••••0103' }] },
    invalidRows: [],
    segments: eligible,
    ratePerSecond: 5,
    estimatedSeconds: Math.ceil(eligible / 5),
    tier: null,
    samples: [
      { contactId: ada.contactId, name: 'Ada Lovelace', to: '+1••••••0101', rendered: 'Hi Ada Lovelace, your order ships today' },
      { contactId: grace.contactId, name: 'Grace Hopper', to: '+1••••••0102', rendered: 'Hi Grace Hopper, your order ships today' },
    ],
    ...over,
  };
}

function baseRoutes(extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/senders': () => json(200, sendersPage()),
    'GET /api/contacts': () => json(200, { items: [ada, grace, linus], nextCursor: null }),
    'GET /api/contacts/search': () => json(200, { items: [ada], nextCursor: null }),
    'GET /api/bulk-jobs': () => json(200, { items: [], nextCursor: null }),
    ...extra,
  };
}

/** Steps 1–3 for an SMS to Ada and Grace. */
async function upToPreview(user: UserEvent) {
  await user.click(await screen.findByRole('radio', { name: 'SMS' }));
  expect(screen.getByText(/Messages come from/)).toHaveTextContent('Messages come from WECARE SMS pool, at up to 5 messages per second.');
  await user.type(screen.getByRole('textbox', { name: 'Name (optional)' }), 'Diwali offer');
  await user.click(screen.getByRole('button', { name: 'Continue' }));

  expect(await screen.findByRole('heading', { level: 2, name: 'Step 2 of 5: Message' })).toHaveFocus();
  await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi {{{{name}}, your order ships today');
  await user.click(screen.getByRole('button', { name: 'Continue' }));

  expect(await screen.findByRole('heading', { level: 2, name: 'Step 3 of 5: Recipients' })).toBeInTheDocument();
  const list = await screen.findByRole('list', { name: 'Contacts to pick from' });
  // Linus has not opted in to SMS: the opted-in filter hides him.
  expect(within(list).queryByText('Linus')).not.toBeInTheDocument();
  await user.click(within(list).getByRole('checkbox', { name: /Ada Lovelace/ }));
  await user.click(within(list).getByRole('checkbox', { name: /Grace Hopper/ }));
  expect(screen.getByText('2 contacts picked.')).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Continue' }));
  expect(await screen.findByRole('heading', { level: 2, name: 'Step 4 of 5: Preview' })).toBeInTheDocument();
}

const creates = (requests: RecordedRequest[]) => requests.filter((r) => r.method === 'POST' && r.url.pathname === '/api/bulk-jobs');

describe('NewBulkJobPage', () => {
  it('tells a Viewer their role cannot create bulk jobs', async () => {
    renderApp({ path: '/bulk/new', as: 'Viewer', routes: baseRoutes() });
    expect(await screen.findByText('Your role does not allow you to create bulk jobs.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue' })).not.toBeInTheDocument();
  });

  it('creates an SMS job for picked contacts: message with its segment count, preview, start', async () => {
    const user = userEvent.setup();
    const job = aJob({ jobId: 'job-new', name: 'Diwali offer', status: 'PENDING', progress: { total: 2, pending: 2, sent: 0, failed: 0, skipped: {}, unknown: 0, cancelled: 0 } });
    const { requests, router } = renderApp({
      path: '/bulk/new',
      as: 'Operator',
      routes: baseRoutes({
        'POST /api/bulk-jobs/preview': () => json(200, previewOf(2)),
        'POST /api/bulk-jobs': () => json(202, { job }),
        'GET /api/bulk-jobs/job-new': () => json(200, { job, series: [] }),
        'GET /api/bulk-jobs/job-new/recipients': () => json(200, { items: [], nextCursor: null }),
      }),
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'New bulk job' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Steps' })).toHaveTextContent('1Channel and sender2Message3Recipients4Preview5Confirm and start');

    await upToPreview(user);
    const preview = requests.find((r) => r.url.pathname === '/api/bulk-jobs/preview');
    expect(preview?.body).toEqual({
      name: 'Diwali offer',
      channel: 'sms',
      sender: 'pool-wecare-sms',
      content: { type: 'text', body: 'Hi {{name}}, your order ships today' },
      recipients: { type: 'contacts', contactIds: [ada.contactId, grace.contactId] },
    });
    expect(await screen.findByRole('img', { name: '2 of 3 recipients eligible; left out: not opted in 1.' })).toBeInTheDocument();
    expect(screen.getByText(/will receive it; 1 left out/)).toBeInTheDocument();
    await user.click(screen.getByText('Not opted in:'));
    expect(screen.getByRole('link', { name: 'Linus' })).toHaveAttribute('href', `/contacts/${linus.contactId}`);
    expect(screen.getByText('Hi Ada Lovelace, your order ships today')).toBeInTheDocument();
    expect(screen.getByText('2 segments in total (1 per message on average)')).toBeInTheDocument();
    expect(screen.getByText('About 1 second, at 5 messages per second')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'Step 5 of 5: Confirm and start' })).toBeInTheDocument();
    // At most 20 recipients: nothing to type.
    expect(screen.queryByRole('textbox', { name: /to confirm/ })).not.toBeInTheDocument();
    const start = screen.getByRole('button', { name: 'Start sending to 2 recipients' });
    await user.dblClick(start);
    await waitFor(() => expect(router.state.location.pathname).toBe('/bulk/job-new'));
    expect(creates(requests)).toHaveLength(1);
    expect(creates(requests)[0]?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(creates(requests)[0]?.body).not.toHaveProperty('confirmedCount');
    expect(await screen.findByText('The job has started: 2 recipients.')).toBeInTheDocument();
  });

  it('sends a WhatsApp template picked from the sender’s approved ones, each value fixed or from the recipient', async () => {
    const user = userEvent.setup();
    const asha = aContact({ name: 'Asha Rao', phone: '+919876500001', optInWhatsApp: true });
    const delivery = aTemplate({
      name: 'delivery',
      parameterFormat: 'NAMED',
      body: 'Hi {{name}}, your order {{order}} arrives {{day}}.',
      variables: [
        { name: 'name', component: 'BODY', sample: 'Ada' },
        { name: 'order', component: 'BODY', sample: 'A-42' },
        { name: 'day', component: 'BODY', sample: 'Friday' },
      ],
    });
    const { requests } = renderApp({
      path: '/bulk/new',
      as: 'Operator',
      routes: baseRoutes({
        'GET /api/contacts': () => json(200, { items: [asha], nextCursor: null }),
        'GET /api/whatsapp/templates': (r) =>
          json(200, templateCatalogue(r.url.searchParams.get('sender') === wecareSenders.whatsapp.senderId ? [delivery, aTemplate({ name: 'promo', status: 'REJECTED' })] : [])),
        'POST /api/bulk-jobs/preview': () => json(200, previewOf(1, { segments: null })),
      }),
    });
    // WhatsApp is the first channel with a sender: preselected, from the default number.
    expect(await screen.findByRole('radio', { name: 'WhatsApp' })).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await screen.findByRole('heading', { level: 2, name: 'Step 2 of 5: Message' });
    expect(screen.getByRole('radio', { name: 'Template' })).toBeChecked();
    expect(await screen.findByRole('button', { name: 'Use promo (en_US)' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('Before you continue:')).toBeInTheDocument();
    expect(screen.getAllByText('Choose a template.').length).toBeGreaterThan(0);
    expect(screen.getByRole('alert')).toHaveTextContent('Choose an approved template.');

    await user.click(screen.getByRole('button', { name: 'Use delivery (en_US)' }));
    expect(screen.getByRole('combobox', { name: 'Fill {{name}} with' })).toHaveValue('name');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Fill in {{order}}.Fill in {{day}}.');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Fill {{order}} with' }), 'column');
    await user.type(screen.getByRole('textbox', { name: 'CSV column for {{order}}' }), 'order');
    await user.type(screen.getByRole('textbox', { name: '{{day}}' }), 'tomorrow');
    // The step says which placeholders the message uses, and which only a CSV can fill.
    expect(screen.getByText(/This message uses \{\{name\}\} and \{\{order\}\}\. \{\{order\}\} must be a column of your CSV\./)).toBeInTheDocument();
    expect(screen.getByRole('figure', { name: 'Preview' })).toHaveTextContent('Hi {{name}}, your order {{order}} arrives tomorrow.');
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    const list = await screen.findByRole('list', { name: 'Contacts to pick from' });
    await user.click(within(list).getByRole('checkbox', { name: /Asha Rao/ }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await screen.findByRole('heading', { level: 2, name: 'Step 4 of 5: Preview' });
    await waitFor(() => expect(requests.some((r) => r.url.pathname === '/api/bulk-jobs/preview')).toBe(true));
    expect(requests.find((r) => r.url.pathname === '/api/bulk-jobs/preview')?.body).toEqual({
      channel: 'whatsapp',
      sender: wecareSenders.whatsapp.senderId,
      content: { type: 'template', name: 'delivery', language: 'en_US', parameters: ['{{name}}', '{{order}}', 'tomorrow'] },
      recipients: { type: 'contacts', contactIds: [asha.contactId] },
    });

    // Back on the message step, the template and its values are still there.
    await user.click(screen.getByRole('button', { name: /Message/ }));
    expect(await screen.findByRole('textbox', { name: '{{day}}' })).toHaveValue('tomorrow');
    expect(screen.getByRole('combobox', { name: 'Fill {{order}} with' })).toHaveValue('column');
  });

  it('counts SMS segments as the message is typed, and refuses to continue without one', async () => {
    const user = userEvent.setup();
    renderApp({ path: '/bulk/new', as: 'Operator', routes: baseRoutes() });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await screen.findByRole('heading', { level: 2, name: 'Step 2 of 5: Message' });
    expect(screen.getByTestId('sms-count')).toHaveTextContent('0 segments · 0 GSM-7 characters (160 per segment)');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('Before you continue:')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveAttribute('aria-invalid', 'true');
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.click(box);
    await user.paste('a'.repeat(161));
    expect(screen.getByTestId('sms-count')).toHaveTextContent('2 segments · 161 GSM-7 characters (153 per segment)');
    await user.paste(' 😀');
    expect(screen.getByTestId('sms-count')).toHaveTextContent('3 segments · 164 UCS-2 characters (67 per segment)');
    expect(screen.getByText(/makes the whole message UCS-2/)).toBeInTheDocument();
  });

  it('above 20 recipients, starts only with the exact count typed; a changed count goes back to the preview', async () => {
    const user = userEvent.setup();
    let eligible = 25;
    const job = aJob({ jobId: 'job-big', status: 'PENDING' });
    const { requests, router } = renderApp({
      path: '/bulk/new',
      as: 'Admin',
      routes: baseRoutes({
        'POST /api/bulk-jobs/preview': () => json(200, previewOf(eligible)),
        'POST /api/bulk-jobs': (r) => {
          const confirmed = (r.body as { confirmedCount?: number }).confirmedCount;
          if (confirmed === 25) {
            eligible = 26; // someone opted in meanwhile
            return json(422, { error: { code: 'CONFIRMATION_REQUIRED', message: '26 recipients are eligible; confirm that number to start the job' } });
          }
          return json(202, { job });
        },
        'GET /api/bulk-jobs/job-big': () => json(200, { job, series: [] }),
        'GET /api/bulk-jobs/job-big/recipients': () => json(200, { items: [], nextCursor: null }),
      }),
    });
    await upToPreview(user);
    await screen.findByRole('img', { name: /^25 of 26 recipients eligible/ });
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    const start = await screen.findByRole('button', { name: 'Start sending to 25 recipients' });
    await user.click(start);
    expect(screen.getByText('Type 25 to confirm.')).toBeInTheDocument();
    const field = screen.getByRole('textbox', { name: 'Type 25 to confirm the number of recipients' });
    await user.type(field, '24');
    await user.click(start);
    expect(screen.getByText('That is not the number of recipients: type 25.')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(creates(requests)).toHaveLength(0);

    await user.clear(field);
    await user.type(field, '25');
    await user.click(start);
    // The API counts 26 now: back to the preview, which is asked again.
    expect(await screen.findByText('The number of eligible recipients has changed.')).toBeInTheDocument();
    expect(screen.getByText(/26 recipients are eligible now, not 25/)).toBeInTheDocument();
    expect(await screen.findByRole('img', { name: /^26 of 27 recipients eligible/ })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.type(await screen.findByRole('textbox', { name: 'Type 26 to confirm the number of recipients' }), '26');
    await user.click(screen.getByRole('button', { name: 'Start sending to 26 recipients' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/bulk/job-big'));

    const sent = creates(requests);
    expect(sent.map((r) => (r.body as { confirmedCount?: number }).confirmedCount)).toEqual([25, 26]);
    // One run of the wizard, one key: however often Start is pressed, one job.
    expect(new Set(sent.map((r) => r.headers.get('Idempotency-Key'))).size).toBe(1);
  });

  it('explains a refusal over the WhatsApp tier and leads back to the recipients', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/bulk/new',
      as: 'Operator',
      routes: baseRoutes({
        'POST /api/bulk-jobs/preview': () => json(200, previewOf(2, { tier: { limit: 250, used: 249, afterJob: 251 }, segments: null })),
        'POST /api/bulk-jobs': () =>
          json(409, {
            error: {
              code: 'TIER_LIMIT_EXCEEDED',
              message: 'the WhatsApp messaging tier has room for 1 more business-initiated conversations in 24 hours and this job needs 2',
            },
          }),
      }),
    });
    await upToPreview(user);
    expect(await screen.findByText(/249 of 250 business-initiated conversations used/)).toHaveTextContent('251 after this job.');
    expect(screen.getByText(/This is over the limit/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.click(await screen.findByRole('button', { name: 'Start sending to 2 recipients' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The job was not started.');
    expect(alert).toHaveTextContent('has room for 1 more business-initiated conversations');
    expect(alert).toHaveTextContent('Go back to Recipients to send to fewer people, or try again later.');
    await user.click(within(alert).getByRole('button', { name: 'Go to Recipients' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Step 3 of 5: Recipients' })).toBeInTheDocument();
  });

  it('sends everyone matching the filters, with dates as the start and end of those days', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({
      path: '/bulk/new',
      as: 'Operator',
      routes: baseRoutes({ 'POST /api/bulk-jobs/preview': () => json(200, previewOf(1)) }),
    });
    await user.click(await screen.findByRole('radio', { name: 'Email' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.type(await screen.findByRole('textbox', { name: 'Subject' }), 'News for {{{{name}}');
    await user.type(screen.getByRole('textbox', { name: 'Text' }), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.click(await screen.findByRole('radio', { name: 'All matching filters' }));
    await user.click(screen.getByRole('switch', { name: 'Only contacts opted in to Email' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'ada');
    await user.type(screen.getByLabelText('Created from'), '2026-11-01');
    await user.type(screen.getByLabelText('Created to'), '2026-11-30');
    expect(await screen.findByRole('list', { name: 'Contacts matching the filters' })).toHaveTextContent('Ada Lovelace');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await screen.findByRole('img', { name: /eligible/ });
    const body = requests.find((r) => r.url.pathname === '/api/bulk-jobs/preview')?.body as { recipients: Record<string, unknown>; content: unknown };
    expect(body.content).toEqual({ type: 'email', subject: 'News for {{name}}', text: 'Hello' });
    expect(body.recipients).toMatchObject({ type: 'filter', optedIn: false, search: 'ada' });
    expect(new Date(body.recipients.createdFrom as string).getDate()).toBe(1);
    expect(new Date(body.recipients.createdTo as string).getHours()).toBe(23);
  });

  it('uploads a CSV with its progress, then shows the rows that could not be used by line', async () => {
    const user = userEvent.setup();
    const sent: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
    class FakeXhr {
      status = 0;
      upload: { onprogress: ((e: Partial<ProgressEvent>) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      private request = { method: '', url: '', headers: {} as Record<string, string>, body: null as unknown };
      open(method: string, url: string) {
        this.request.method = method;
        this.request.url = url;
      }
      setRequestHeader(name: string, value: string) {
        this.request.headers[name] = value;
      }
      send(body: unknown) {
        this.request.body = body;
        sent.push(this.request);
        setTimeout(() => this.upload.onprogress?.({ loaded: 50, total: 100, lengthComputable: true }), 0);
        setTimeout(() => {
          this.status = 200;
          this.onload?.();
        }, 30);
      }
      abort() {
        this.onabort?.();
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const { requests } = renderApp({
      path: '/bulk/new',
      as: 'Operator',
      routes: baseRoutes({
        'POST /api/bulk-jobs/uploads': () =>
          json(201, { uploadId: '0b9f5e1c-0000-4000-8000-000000000001', url: 'https://reports.test/put?sig', method: 'PUT', headers: { 'content-type': 'text/csv' }, expiresAt: 'x' }),
        'POST /api/bulk-jobs/preview': () =>
          json(200, previewOf(1, { invalidRows: [{ line: 3, problem: 'phone "12": is too short' }], samples: [{ to: '+1••••••0101', rendered: 'Order 42 ships' }] })),
      }),
    });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Order {{{{order}} ships');
    expect(screen.getByText(/must be a column of your CSV/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.click(await screen.findByRole('radio', { name: 'Upload a CSV' }));
    expect(screen.getByText(/any other column is a variable/)).toBeInTheDocument();

    const file = new File(['phone,name,optInSms,order\n+14155550101,Ada,yes,42\n12,Bad,yes,43\n'], 'list.csv', { type: 'text/csv' });
    await user.upload(screen.getByLabelText('CSV file'), file);
    expect(await screen.findByRole('progressbar', { name: /Uploading list.csv/ })).toBeInTheDocument();
    expect(await screen.findByText('Uploaded list.csv.')).toBeInTheDocument();
    expect(screen.getByText(/Address: phone · name: name · consent: optInSms · variables: \{\{order\}\}/)).toBeInTheDocument();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'PUT', url: 'https://reports.test/put?sig', headers: { 'content-type': 'text/csv' } });
    expect(requests.find((r) => r.url.pathname === '/api/bulk-jobs/uploads')?.body).toEqual({ fileName: 'list.csv' });

    await user.click(screen.getByRole('button', { name: 'Continue' }));
    const rows = await screen.findByRole('table');
    expect(within(rows).getByRole('row', { name: '3 phone "12": is too short' })).toBeInTheDocument();
    expect(requests.find((r) => r.url.pathname === '/api/bulk-jobs/preview')?.body).toMatchObject({
      recipients: { type: 'upload', uploadId: '0b9f5e1c-0000-4000-8000-000000000001' },
    });
  });

  it('refuses a file that is not a recipients CSV before uploading it', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({ path: '/bulk/new', as: 'Operator', routes: baseRoutes() });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await user.click(await screen.findByRole('radio', { name: 'Upload a CSV' }));
    await user.upload(screen.getByLabelText('CSV file'), new File(['name,order\nAda,1\n'], 'list.csv', { type: 'text/csv' }));
    expect(await screen.findByText(/The header has neither a phone nor an email column/)).toBeInTheDocument();
    expect(requests.some((r) => r.url.pathname === '/api/bulk-jobs/uploads')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('Before you continue:')).toBeInTheDocument();
  });
});
