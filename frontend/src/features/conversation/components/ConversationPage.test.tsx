import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, type Handler, type RecordedRequest } from '@/testing/fake-fetch';
import { aContact, aMessage, aTemplate, sendersPage, templateCatalogue, wecareSenders, type TestRole } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';
import type { ConversationWindow, Message } from '../api/message';

const ada = (overrides = {}) =>
  aContact({ contactId: 'c-ada', name: 'Ada Lovelace', phone: '+919876543210', optInWhatsApp: true, optInSms: true, ...overrides });

const open = (): ConversationWindow => ({ state: 'open', expiresAt: new Date(Date.now() + 5 * 3600_000).toISOString() });

function timeline(items: Message[], window: ConversationWindow = open(), nextCursor: string | null = null) {
  return json(200, { items, nextCursor, window });
}

const WA_DEFAULT = wecareSenders.whatsapp.senderId;
const WA_OTHER = wecareSenders.whatsappOther.senderId;
const SMS_POOL = wecareSenders.sms.senderId;
const EMAIL_SENDER = wecareSenders.email.senderId;

function renderConversation({
  as = 'Operator',
  contact = ada(),
  messages = () => timeline([]),
  senders = () => json(200, sendersPage()),
  routes = {},
}: {
  as?: TestRole;
  contact?: ReturnType<typeof aContact>;
  messages?: Handler;
  /** GET /api/senders; the wecare tenant's by default. */
  senders?: Handler;
  routes?: Record<string, Handler>;
} = {}) {
  return renderApp({
    path: '/conversations/c-ada',
    as,
    routes: {
      'GET /api/contacts/c-ada': () => json(200, contact),
      'GET /api/contacts/c-ada/messages': messages,
      'GET /api/senders': senders,
      'POST /api/conversations/c-ada/read': readAnswer,
      ...routes,
    },
  });
}

const log = () => screen.findByRole('list', { name: 'Messages, oldest first' });
type Requests = ReturnType<typeof renderApp>['requests'];
/** The send (POST /api/messages/…) among the requests. */
const sendOf = (requests: Requests) => requests.find((r) => r.method === 'POST' && r.url.pathname.startsWith('/api/messages/'));
const readsOf = (requests: Requests) => requests.filter((r) => r.method === 'POST' && r.url.pathname === '/api/conversations/c-ada/read');
const readAnswer = () => json(200, { contactId: 'c-ada', unreadCount: 0, changed: true });
const bubbles = async () => Array.from((await log()).querySelectorAll<HTMLElement>('.bubble'));

describe('ConversationPage: the timeline', () => {
  it('shows the oldest message at the top and the newest at the bottom, inbound and outbound apart', async () => {
    const first = aMessage({ text: 'Hi, is my order ready?' });
    const second = aMessage({ direction: 'outbound', status: 'read', from: 'pn-1', to: '+919876543210', text: 'Yes, it is.' });
    const third = aMessage({ text: 'Thanks!' });
    renderConversation({ messages: () => timeline([third, second, first]) });
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeInTheDocument();
    const shown = await bubbles();
    expect(shown.map((b) => b.querySelector('.bubble__text')?.textContent)).toEqual(['Hi, is my order ready?', 'Yes, it is.', 'Thanks!']);
    expect(shown.map((b) => b.className)).toEqual([
      expect.stringContaining('bubble--inbound'),
      expect.stringContaining('bubble--outbound'),
      expect.stringContaining('bubble--inbound'),
    ]);
    expect(shown[0]).toHaveTextContent('Ada Lovelace wrote:');
    expect(shown[1]).toHaveTextContent('You sent:');
    expect(document.title).toBe('Conversation with Ada Lovelace · WECARE.DIGITAL');
  });

  it('shows delivery ticks with words for screen readers, the reason of a failure and dry runs', async () => {
    const out = (status: string, extra: Partial<Message> = {}) =>
      aMessage({ direction: 'outbound', status, text: `is ${status}`, ...extra });
    renderConversation({
      messages: () =>
        timeline(
          [
            out('queued'),
            out('sent'),
            out('delivered'),
            out('read'),
            out('failed', { error: { code: '131026', message: 'Message undeliverable' } }),
            out('dry_run'),
          ].reverse(),
        ),
    });
    const [queued, sent, delivered, read, failed, dryRun] = await bubbles();
    const status = (b: HTMLElement | undefined) => b?.querySelector('.message-status');
    expect(status(queued)).toHaveTextContent('✓Queued');
    expect(status(sent)).toHaveTextContent('✓Sent');
    expect(status(delivered)).toHaveTextContent('✓✓Delivered');
    expect(status(read)).toHaveTextContent('✓✓Read');
    expect(status(read)).toHaveClass('message-status--read');
    expect(status(failed)).toHaveTextContent('Failed: Message undeliverable');
    expect(failed).toHaveTextContent('Not delivered: Message undeliverable');
    expect(status(dryRun)).toHaveTextContent('dry run');
    expect(within(status(queued) as HTMLElement).getByText('✓')).toHaveAttribute('aria-hidden', 'true');
  });

  it('says a message is being sent, that its delivery is unknown and what that means, and a failure with the provider’s code', async () => {
    const out = (status: string, extra: Partial<Message> = {}) => aMessage({ direction: 'outbound', status, text: `is ${status}`, ...extra });
    renderConversation({
      messages: () =>
        timeline(
          [out('sending'), out('unknown'), out('failed', { error: { code: 'ValidationException', message: 'Invalid parameter' } })].reverse(),
        ),
    });
    const [sending, unknown, failed] = await bubbles();
    const status = (b: HTMLElement | undefined) => b?.querySelector('.message-status');
    expect(status(sending)).toHaveTextContent('…Sending');

    expect(unknown).toHaveClass('bubble--unknown');
    expect(status(unknown)).toHaveTextContent('?Delivery unknown');
    expect(status(unknown)).toHaveAttribute(
      'title',
      'Delivery unknown. We could not confirm whether the provider accepted this message. It will update if a delivery status arrives; check before sending it again.',
    );
    // Said in the bubble too, where everyone (and every screen reader) gets it.
    expect(unknown?.querySelector('.bubble__warning')).toHaveTextContent(
      'Delivery unknown. We could not confirm whether the provider accepted this message. It will update if a delivery status arrives; check before sending it again.',
    );

    expect(failed).toHaveClass('bubble--failed');
    expect(failed?.querySelector('.bubble__error')).toHaveTextContent('Not delivered: Invalid parameter (provider code ValidationException)');
    expect(status(failed)).toHaveTextContent('!Failed: Invalid parameter (ValidationException)');
  });

  it('names the sender an outbound message went from: its label when it is the organisation’s, else its id', async () => {
    renderConversation({
      as: 'Viewer',
      messages: () =>
        timeline(
          [
            aMessage({ direction: 'outbound', status: 'sent', from: WA_OTHER, text: 'From the second number' }),
            aMessage({ direction: 'outbound', status: 'sent', from: 'phone-number-id-retired', text: 'From a retired number' }),
            aMessage({ channel: 'email', direction: 'outbound', status: 'sent', from: EMAIL_SENDER, subject: 'Invoice' }),
            aMessage({ text: 'hi', to: WA_DEFAULT }),
          ].reverse(),
        ),
    });
    const [second, retired, email, inbound] = await bubbles();
    await waitFor(() => expect(second?.querySelector('.bubble__from')).toHaveTextContent(/^from \+91 99033 00044$/));
    expect(retired?.querySelector('.bubble__from')).toHaveTextContent(/^from phone-number-id-retired$/);
    expect(email?.querySelector('.bubble__from')).toHaveTextContent(/^from care@wecare\.digital$/);
    expect(inbound?.querySelector('.bubble__from')).toBeNull();
  });

  it('shows images inline, other files as downloads, and says when media is not available', async () => {
    renderConversation({
      messages: () =>
        timeline([
          aMessage({ details: { type: 'image', media: { mimeType: 'image/jpeg', size: 2048, s3Key: 'k1' } } }),
          aMessage({
            details: { type: 'document', media: { mimeType: 'application/pdf', size: 1200, s3Key: 'k2', url: 'https://media.test/k2' } },
          }),
          aMessage({
            text: 'My parcel',
            details: { type: 'image', media: { mimeType: 'image/png', size: 68, s3Key: 'k3', url: 'https://media.test/k3' } },
          }),
        ]),
    });
    expect(await screen.findByRole('img', { name: 'Photo from Ada Lovelace: My parcel' })).toHaveAttribute('src', 'https://media.test/k3');
    expect(screen.getByRole('link', { name: 'Download document' })).toHaveAttribute('href', 'https://media.test/k2');
    expect(screen.getByText('Photo · media not available (image/jpeg, 2.0 KB)')).toBeInTheDocument();
  });

  it('shows the window and when it closes', async () => {
    const expiresAt = new Date(Date.now() + (3 * 60 + 12) * 60_000 + 30_000).toISOString();
    renderConversation({ messages: () => timeline([aMessage({ text: 'hi' })], { state: 'open', expiresAt }) });
    expect(await screen.findByText(/^WhatsApp window open · 3 h 12 min left$/)).toBeInTheDocument();
    expect(screen.getByText(/free-form messages until/).querySelector('time')).toHaveAttribute('datetime', expiresAt);
  });

  it('loads older messages with the cursor, above the ones shown', async () => {
    const user = userEvent.setup();
    const older = aMessage({ text: 'An older message' });
    const newer = aMessage({ text: 'The newest message' });
    const { requests } = renderConversation({
      messages: (r) =>
        r.url.searchParams.get('cursor') === 'cur-1' ? timeline([older]) : timeline([newer], open(), 'cur-1'),
    });
    await user.click(await screen.findByRole('button', { name: 'Load older messages' }));
    await waitFor(async () => expect(await bubbles()).toHaveLength(2));
    expect((await bubbles()).map((b) => b.querySelector('.bubble__text')?.textContent)).toEqual([
      'An older message',
      'The newest message',
    ]);
    expect(requests.some((r) => r.url.searchParams.get('cursor') === 'cur-1')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Load older messages' })).not.toBeInTheDocument();
  });

  it('polls, so statuses advance by themselves', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let status = 'queued';
      renderConversation({
        messages: () => timeline([aMessage({ messageId: 'm-out', direction: 'outbound', status, text: 'Hello' })]),
      });
      const [bubble] = await bubbles();
      expect(bubble?.querySelector('.message-status')).toHaveTextContent('Queued');
      status = 'delivered';
      await vi.advanceTimersByTimeAsync(3_100);
      await waitFor(() => expect(bubble?.querySelector('.message-status')).toHaveTextContent('Delivered'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('has an empty state, and says when the contact does not exist', async () => {
    renderConversation();
    expect(await screen.findByText('No messages yet.')).toBeInTheDocument();
  });

  it('says when the contact does not exist', async () => {
    renderApp({
      path: '/conversations/gone',
      as: 'Operator',
      routes: {
        'GET /api/contacts/gone': () => json(404, { error: { code: 'NOT_FOUND', message: 'contact not found' } }),
        'GET /api/contacts/gone/messages': () => json(404, { error: { code: 'NOT_FOUND', message: 'contact not found' } }),
      },
    });
    expect(await screen.findByRole('heading', { name: 'Contact not found' })).toBeInTheDocument();
  });
});

describe('ConversationPage: the composer', () => {
  it('is not there for a Viewer', async () => {
    renderConversation({ as: 'Viewer', messages: () => timeline([aMessage({ text: 'hi' })]) });
    await log();
    expect(screen.queryByRole('region', { name: 'New message' })).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Send/ })).not.toBeInTheDocument();
    expect(screen.getByText('Your role can read conversations but not send messages.')).toBeInTheDocument();
  });

  it('offers only the channels the contact has an address for', async () => {
    renderConversation({ contact: ada({ phone: undefined, email: 'ada@example.com', optInEmail: true }) });
    const channel = await screen.findByRole('group', { name: 'Channel' });
    expect(within(channel).getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual(['email']);
    expect(screen.getByRole('textbox', { name: 'Subject' })).toBeInTheDocument();
  });

  it('writes on WhatsApp to someone known only by their WhatsApp user id, and offers no SMS', async () => {
    renderConversation({
      contact: ada({ name: undefined, phone: undefined, whatsappUserId: 'IN.1234567890ABCDEF' }),
      messages: () => timeline([aMessage({ text: 'hi' })]),
    });
    const channel = await screen.findByRole('group', { name: 'Channel' });
    expect(within(channel).getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual(['whatsapp']);
    expect(screen.getByRole('heading', { level: 1, name: 'WhatsApp user' })).toBeInTheDocument();
    expect(screen.getByText('WhatsApp user IN.1234567890ABCDEF')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  });

  it('sends free-form WhatsApp text inside the window and shows it at once', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({
      messages: () => timeline([aMessage({ text: 'hi' })]),
      routes: {
        'POST /api/messages/whatsapp': () =>
          json(202, aMessage({ messageId: 'm-new', direction: 'outbound', status: 'queued', text: 'Hello Ada' })),
      },
    });
    const box = await screen.findByRole('textbox', { name: 'Message' });
    expect(box).toBeEnabled();
    await user.type(box, 'Hello Ada');
    expect(screen.getByText(/9 \/ 4096 characters/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', text: 'Hello Ada', from: WA_DEFAULT });
    expect(box).toHaveValue('');
  });

  it('offers only a template when the window is closed, and sends the one picked with its values in order', async () => {
    const user = userEvent.setup();
    const receipt = aTemplate({
      name: 'receipt',
      language: 'en_GB',
      parameterFormat: 'NAMED',
      header: { format: 'TEXT', text: 'Hello {{first_name}}' },
      body: 'Your order {{order_id}} ships on {{day}}.',
      variables: [
        { name: 'first_name', component: 'HEADER', sample: 'Ada' },
        { name: 'order_id', component: 'BODY', sample: 'A-42' },
        { name: 'day', component: 'BODY', sample: 'Friday' },
      ],
    });
    const { requests } = renderConversation({
      messages: () => timeline([], { state: 'closed' }),
      routes: {
        'GET /api/whatsapp/templates': () => json(200, templateCatalogue([aTemplate(), receipt, aTemplate({ name: 'draft_promo', status: 'PENDING' })])),
        'POST /api/messages/whatsapp': () =>
          json(202, aMessage({ direction: 'outbound', status: 'queued', template: { name: 'receipt', language: 'en_GB', parameters: ['Ada', '42', 'Friday'] } })),
      },
    });
    expect(await screen.findByText(/^WhatsApp window closed$/)).toBeInTheDocument();
    const box = screen.getByRole('textbox', { name: 'Message' });
    expect(box).toBeDisabled();
    expect(box).toHaveAccessibleDescription(/the 24-hour window is closed/);
    expect(screen.queryByRole('group', { name: 'Message type' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('File')).not.toBeInTheDocument();

    // The templates of the number the message goes from.
    expect(await screen.findByRole('button', { name: 'Use draft_promo (en_US)' })).toBeDisabled();
    expect(requests.find((r) => r.url.pathname === '/api/whatsapp/templates')?.url.searchParams.get('sender')).toBe(WA_DEFAULT);
    await user.click(screen.getByRole('button', { name: 'Use receipt (en_GB)' }));
    // Named for a contact field: filled from Ada's contact.
    expect(screen.getByRole('textbox', { name: 'Header {{first_name}}' })).toHaveValue('Ada');

    await user.click(screen.getByRole('button', { name: 'Send template' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Not sent yet: Fill in {{order_id}}. Fill in {{day}}.');
    expect(screen.getByRole('textbox', { name: '{{order_id}}' })).toHaveAccessibleDescription('Fill this in.');
    expect(sendOf(requests)).toBeUndefined();

    await user.type(screen.getByRole('textbox', { name: '{{order_id}}' }), ' 42 ');
    await user.type(screen.getByRole('textbox', { name: '{{day}}' }), 'Friday');
    expect(screen.getByRole('figure', { name: 'Preview' })).toHaveTextContent('Hello AdaYour order 42 ships on Friday.');
    await user.click(screen.getByRole('button', { name: 'Send template' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({
      contactId: 'c-ada',
      template: { name: 'receipt', language: 'en_GB', parameters: ['Ada', '42', 'Friday'] },
      from: WA_DEFAULT,
    });
    // Ready for the next one.
    expect(await screen.findByRole('searchbox', { name: 'Search templates' })).toBeInTheDocument();
  });

  it('sends a template with an image header once its image is uploaded, and shows what the API refuses', async () => {
    const user = userEvent.setup();
    const photo = aTemplate({ name: 'new_arrivals', header: { format: 'IMAGE' }, body: 'New arrivals, {{1}}.', variables: [{ name: '1', component: 'BODY', sample: 'Ada' }] });
    let answers = 0;
    const { requests } = renderConversation({
      messages: () => timeline([], { state: 'closed' }),
      routes: {
        'GET /api/whatsapp/templates': () => json(200, templateCatalogue([photo])),
        'POST /api/media/uploads': () => json(201, { uploadUrl: 'https://media.test/put?sig', s3Key: 'media/wecare/header-1', kind: 'image', expiresAt: 'x' }),
        'PUT /put': () => new Response(null, { status: 200 }),
        'POST /api/messages/whatsapp': () => {
          answers += 1;
          return answers === 1
            ? json(400, { error: { code: 'VALIDATION_FAILED', message: 'template.parameters: must have 2 values for new_arrivals, got 1' } })
            : json(202, aMessage({ direction: 'outbound', status: 'sent', template: { name: 'new_arrivals', language: 'en_US', parameters: ['Ada'] } }));
        },
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Use new_arrivals (en_US)' }));
    await user.type(screen.getByRole('textbox', { name: '{{1}}' }), 'Ada');
    await user.click(screen.getByRole('button', { name: 'Send template' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Not sent yet: Upload the header’s image.');
    expect(sendOf(requests)).toBeUndefined();

    await user.upload(screen.getByLabelText('Header image'), new File(['png'], 'shop.png', { type: 'image/png' }));
    expect(await screen.findByText('“shop.png” is uploaded.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send template' }));
    expect(await screen.findByText('The template’s values must have 2 values for new_arrivals, got 1.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({
      contactId: 'c-ada',
      template: { name: 'new_arrivals', language: 'en_US', parameters: ['Ada'], headerMedia: { s3Key: 'media/wecare/header-1' } },
      from: WA_DEFAULT,
    });
  });

  it('lets an open window send a template too', async () => {
    const user = userEvent.setup();
    renderConversation({ routes: { 'GET /api/whatsapp/templates': () => json(200, templateCatalogue([])) } });
    await user.click(await screen.findByRole('radio', { name: 'Template' }));
    expect(await screen.findByText('This WhatsApp number has no message templates yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Templates page' })).toHaveAttribute('href', '/templates');
    expect(screen.queryByRole('textbox', { name: 'Message' })).not.toBeInTheDocument();
  });

  it('counts SMS segments and the encoding as you type', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({
      routes: {
        'POST /api/messages/sms': () =>
          json(202, aMessage({ channel: 'sms', direction: 'outbound', status: 'queued', text: 'x', segments: 2, encoding: 'GSM-7' })),
      },
    });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    const box = screen.getByRole('textbox', { name: 'Message' });
    const count = () => screen.getByTestId('sms-count').textContent;
    expect(count()).toBe('0 segments · 0 GSM-7 characters (160 per segment)');
    await user.click(box);
    await user.paste('a'.repeat(160));
    expect(count()).toBe('1 segment · 160 GSM-7 characters (160 per segment)');
    await user.type(box, 'a');
    expect(count()).toBe('2 segments · 161 GSM-7 characters (153 per segment)');
    await user.clear(box);
    await user.type(box, '€');
    expect(count()).toBe('1 segment · 2 GSM-7 characters (160 per segment)');
    await user.clear(box);
    await user.paste('ж'.repeat(71));
    expect(count()).toBe('2 segments · 71 UCS-2 characters (67 per segment)');
    expect(box).toHaveAccessibleDescription(/makes the whole message UCS-2/);
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('Sent.');
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', text: 'ж'.repeat(71), from: SMS_POOL });
  });

  it('sends an email with a subject and a text or HTML body', async () => {
    const user = userEvent.setup();
    const email = aMessage({ channel: 'email', direction: 'outbound', status: 'sent', subject: 'Your order', html: '<p>Ready</p>' });
    const stored: Message[] = [];
    const { requests } = renderConversation({
      contact: ada({ email: 'ada@example.com', optInEmail: true }),
      messages: () => timeline(stored),
      routes: {
        'POST /api/messages/email': () => {
          stored.push(email);
          return json(202, email);
        },
      },
    });
    await user.click(await screen.findByRole('radio', { name: 'Email' }));
    await user.type(screen.getByRole('textbox', { name: 'Subject' }), 'Your order');
    await user.type(screen.getByRole('textbox', { name: 'HTML (optional)' }), '<p>Ready</p>');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', subject: 'Your order', html: '<p>Ready</p>', from: EMAIL_SENDER });
    const sent = (await bubbles()).at(-1);
    expect(sent?.querySelector('.bubble__subject')).toHaveTextContent('Your order');
    expect(sent?.querySelector('.bubble__text')).toHaveTextContent('Ready');
  });

  it('locks a channel the contact has not opted in to, and says how to fix it', async () => {
    renderConversation({ contact: ada({ optInWhatsApp: false }) });
    expect(await screen.findByText(/has not opted in to WhatsApp messages/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Record their consent on the contact’s page' })).toHaveAttribute('href', '/contacts/c-ada');
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it.each([
    [
      'NOT_OPTED_IN',
      json(422, { error: { code: 'NOT_OPTED_IN', message: 'the contact has not opted in to whatsapp' } }),
      /Ada Lovelace has not opted in to WhatsApp messages, so nothing was sent/,
    ],
    [
      'TEMPLATE_REQUIRED',
      json(422, { error: { code: 'TEMPLATE_REQUIRED', message: 'the 24-hour window is closed' } }),
      /window is closed, so free-form text and files cannot be sent/,
    ],
    [
      'RATE_LIMITED',
      new Response(JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'sending too fast' } }), {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '3' },
      }),
      /try again in 3 seconds/,
    ],
    [
      'NOT_ALLOWLISTED',
      json(403, { error: { code: 'NOT_ALLOWLISTED', message: 'pn-x is not one of your organisation’s whatsapp senders' } }),
      /not one of your organisation’s WhatsApp senders, so nothing was sent\. Choose another in “From”/,
    ],
    [
      'PROVIDER_ERROR',
      json(502, { error: { code: 'PROVIDER_ERROR', message: 'the provider refused it: invalid parameter (ValidationException)' } }),
      /^The provider refused it: invalid parameter \(ValidationException\)\. It is recorded as failed in the conversation; check the reason there/,
    ],
    [
      'IDEMPOTENCY_KEY_REUSED',
      json(422, { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'the Idempotency-Key was used for a different message' } }),
      /^The Idempotency-Key was used for a different message\. Nothing was sent: press Send again/,
    ],
    [
      'TIER_LIMIT_EXCEEDED',
      json(429, { error: { code: 'TIER_LIMIT_EXCEEDED', message: 'tier limit' } }),
      /messaging tier/,
    ],
    [
      'VALIDATION_FAILED',
      json(400, { error: { code: 'VALIDATION_FAILED', message: 'text: is required (or a template)' } }),
      /^The message is required \(or a template\)\.$/,
    ],
  ])('explains %s in words and focuses the explanation', async (_, answer, text) => {
    const user = userEvent.setup();
    renderConversation({ routes: { 'POST /api/messages/whatsapp': () => answer } });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(text)).toBeInTheDocument();
    expect(alert).not.toHaveTextContent('{');
    await waitFor(() => expect(alert.parentElement).toHaveFocus());
    // The draft is kept for another try.
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('Hello');
  });
});

describe('ConversationPage: the sender a message goes from', () => {
  const sent = (text: string, from = WA_DEFAULT) => json(202, aMessage({ direction: 'outbound', status: 'sent', from, text }));

  it('preselects the organisation’s default WhatsApp number among several, says where the message goes from, and sends from it', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({ routes: { 'POST /api/messages/whatsapp': () => sent('Hello') } });
    const from = await screen.findByRole('combobox', { name: 'From' });
    expect(from).toHaveValue(WA_DEFAULT);
    expect(within(from).getAllByRole('option').map((o) => o.textContent)).toEqual(['+91 93309 94400 (default)', '+91 99033 00044']);
    expect(screen.getByText('From +91 93309 94400')).toHaveClass('composer__from');
    expect(screen.getByRole('button', { name: 'Send' })).toHaveAccessibleDescription('From +91 93309 94400');

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', text: 'Hello', from: WA_DEFAULT });
  });

  it('sends from the number picked, says so before and after, and keeps it for the next message', async () => {
    const user = userEvent.setup();
    const items: Message[] = [];
    const { requests } = renderConversation({
      messages: () => timeline(items),
      routes: {
        'POST /api/messages/whatsapp': (request) => {
          const message = aMessage({
            messageId: 'm-other',
            direction: 'outbound',
            status: 'sent',
            from: (request.body as { from: string }).from,
            text: 'From the other number',
          });
          items.unshift(message);
          return json(202, message);
        },
      },
    });
    const from = await screen.findByRole('combobox', { name: 'From' });
    await user.selectOptions(from, '+91 99033 00044');
    expect(screen.getByText('From +91 99033 00044')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveAccessibleDescription('From +91 99033 00044');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'From the other number');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', text: 'From the other number', from: WA_OTHER });
    expect((await bubbles()).at(-1)?.querySelector('.bubble__from')).toHaveTextContent('from +91 99033 00044');
    expect(from).toHaveValue(WA_OTHER);
  });

  it('shows a channel’s only sender as text, with nothing to choose', async () => {
    const user = userEvent.setup();
    renderConversation({ contact: ada({ email: 'ada@example.com', optInEmail: true }) });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    expect(screen.queryByRole('combobox', { name: 'From' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveAccessibleDescription('From WECARE SMS pool');
    await user.click(screen.getByRole('radio', { name: 'Email' }));
    expect(screen.queryByRole('combobox', { name: 'From' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveAccessibleDescription('From care@wecare.digital');
  });

  it('locks a channel the organisation has no sender for, and says who can fix it', async () => {
    const user = userEvent.setup();
    renderConversation({ senders: () => json(200, sendersPage([wecareSenders.sms])) });
    expect(await screen.findByText('No WhatsApp number is configured for your organisation; ask an Admin to add one.')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(screen.queryByText(/^From /)).not.toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: 'SMS' }));
    expect(screen.queryByText(/No WhatsApp number/)).not.toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  });

  it('waits for the senders before offering to write', async () => {
    let answer: (response: Response) => void = () => undefined;
    renderConversation({ senders: () => new Promise<Response>((resolve) => (answer = resolve)) });
    expect(await screen.findByRole('region', { name: 'New message' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Message' })).not.toBeInTheDocument();
    answer(json(200, sendersPage()));
    expect(await screen.findByRole('textbox', { name: 'Message' })).toBeEnabled();
    expect(screen.getByRole('combobox', { name: 'From' })).toHaveValue(WA_DEFAULT);
  });

  it('sends from the organisation’s default when the senders cannot be loaded, and offers to load them again', async () => {
    const user = userEvent.setup();
    let available = false;
    const { requests } = renderConversation({
      senders: () => (available ? json(200, sendersPage()) : json(404, { error: { code: 'NOT_FOUND', message: 'no such route' } })),
      routes: { 'POST /api/messages/whatsapp': () => sent('Hello') },
    });
    expect(await screen.findByText(/Your organisation’s senders could not be loaded, so the message will go from its default WhatsApp number\./)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveAccessibleDescription('From your organisation’s default WhatsApp number');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', text: 'Hello' });

    available = true;
    await user.click(screen.getByRole('button', { name: 'Load senders again' }));
    expect(await screen.findByRole('combobox', { name: 'From' })).toHaveValue(WA_DEFAULT);
    expect(screen.queryByText(/could not be loaded/)).not.toBeInTheDocument();
  });

  it('reloads the senders when the API refuses the one chosen', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({
      routes: {
        'POST /api/messages/whatsapp': () =>
          json(403, { error: { code: 'NOT_ALLOWLISTED', message: `${WA_OTHER} is not one of your organisation's whatsapp senders` } }),
      },
    });
    await user.selectOptions(await screen.findByRole('combobox', { name: 'From' }), WA_OTHER);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hello');
    const loads = () => requests.filter((r) => r.url.pathname === '/api/senders').length;
    expect(loads()).toBe(1);
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Choose another in “From” \(the list has been reloaded\), or ask an Admin\./);
    await waitFor(() => expect(loads()).toBe(2));
    // Still signed in: a function's 403 is a refusal, not the end of the session.
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('Hello');
  });
});

describe('ConversationPage: one Idempotency-Key per message', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const keyOf = (request: RecordedRequest | undefined) => request?.headers.get('Idempotency-Key');
  const sendsOf = (requests: Requests) => requests.filter((r) => r.method === 'POST' && r.url.pathname.startsWith('/api/messages/'));
  const accepted = (text: string, status = 'sent') =>
    json(202, aMessage({ messageId: `m-${text}`, direction: 'outbound', status, from: WA_DEFAULT, text }));
  const offline: Handler = () => Promise.reject(new TypeError('Failed to fetch'));
  const inProgress = () => json(409, { error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: 'the same request is still being processed' } });
  /** Answers the sends in turn with `answers`, the last one from then on. */
  const inTurn = (...answers: Handler[]): Handler => {
    let n = 0;
    return (request) => (answers[Math.min(n++, answers.length - 1)] as Handler)(request);
  };
  const message = () => screen.getByRole('textbox', { name: 'Message' });
  const sendButton = () => screen.getByRole('button', { name: 'Send' });

  it('sends a retry after a network failure under the same key, so the message cannot go twice', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({ routes: { 'POST /api/messages/whatsapp': inTurn(offline, () => accepted('Hello')) } });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
    await user.click(sendButton());
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Cannot reach the server, so it is not known whether the message went. Check your connection, then press Send again without changing the message: it will not be sent twice.',
    );
    expect(message()).toHaveValue('Hello');

    await user.click(sendButton());
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    const [first, retry] = sendsOf(requests);
    expect(keyOf(first)).toMatch(UUID);
    expect(keyOf(retry)).toBe(keyOf(first));
    expect(retry?.body).toEqual(first?.body);
  });

  it('gives the next message a new key once one is sent, even with the same words', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({ routes: { 'POST /api/messages/whatsapp': () => accepted('On my way') } });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'On my way');
    await user.click(sendButton());
    await screen.findByText('Sent.');
    expect(message()).toHaveValue('');
    await user.type(message(), 'On my way');
    await user.click(sendButton());
    await waitFor(() => expect(sendsOf(requests)).toHaveLength(2));
    const [first, second] = sendsOf(requests);
    expect(second?.body).toEqual(first?.body);
    expect(keyOf(second)).toMatch(UUID);
    expect(keyOf(second)).not.toBe(keyOf(first));
  });

  it('sends a double click once', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({ routes: { 'POST /api/messages/sms': () => accepted('Twice?') } });
    await user.click(await screen.findByRole('radio', { name: 'SMS' }));
    await user.type(message(), 'Twice?');
    await user.dblClick(sendButton());
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sendsOf(requests)).toHaveLength(1);
  });

  it('sends once when Send is pressed twice before the page can redraw', async () => {
    const user = userEvent.setup();
    let answer: (response: Response) => void = () => undefined;
    const { requests } = renderConversation({
      routes: { 'POST /api/messages/whatsapp': () => new Promise<Response>((resolve) => (answer = resolve)) },
    });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
    const form = sendButton().closest('form');
    act(() => {
      form?.requestSubmit();
      form?.requestSubmit();
    });
    await waitFor(() => expect(sendsOf(requests)).toHaveLength(1));
    answer(accepted('Hello'));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendsOf(requests)).toHaveLength(1);
  });

  it('asks again quietly, under the same key, while the API says the message is still in progress', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
      const { requests } = renderConversation({
        routes: { 'POST /api/messages/whatsapp': inTurn(inProgress, inProgress, () => accepted('Hello')) },
      });
      await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
      await user.click(sendButton());
      expect(await screen.findByText('This message is still being processed; checking again…')).toHaveAttribute('role', 'status');
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await screen.findByText('Sent.')).toBeInTheDocument();
      const sends = sendsOf(requests);
      expect(sends).toHaveLength(3);
      expect(new Set(sends.map(keyOf)).size).toBe(1);
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });

  it('says so when the message is still in progress after two more tries; Send again keeps the key', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
      const { requests } = renderConversation({ routes: { 'POST /api/messages/whatsapp': inTurn(inProgress, inProgress, inProgress, () => accepted('Hello')) } });
      await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
      await user.click(sendButton());
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await screen.findByRole('alert')).toHaveTextContent(
        'This message is still being processed. Wait a few seconds and check the conversation; if it is not there, press Send again without changing the message: it will not be sent twice.',
      );
      expect(sendsOf(requests)).toHaveLength(3);
      await user.click(sendButton());
      expect(await screen.findByText('Sent.')).toBeInTheDocument();
      expect(new Set(sendsOf(requests).map(keyOf)).size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends again under a new key after a provider failure: that one is recorded as failed, a retry is a new message', async () => {
    const user = userEvent.setup();
    const providerError = () =>
      json(502, { error: { code: 'PROVIDER_ERROR', message: 'the provider refused it: invalid parameter (ValidationException)' } });
    const { requests } = renderConversation({ routes: { 'POST /api/messages/whatsapp': inTurn(providerError, () => accepted('Hello')) } });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
    await user.click(sendButton());
    expect(await screen.findByRole('alert')).toHaveTextContent(/It is recorded as failed in the conversation/);
    expect(message()).toHaveValue('Hello');
    await user.click(sendButton());
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    const [failed, again] = sendsOf(requests);
    expect(again?.body).toEqual(failed?.body);
    expect(keyOf(again)).not.toBe(keyOf(failed));
  });

  it('gives a draft changed after a failed attempt a new key (the old one belongs to the old words)', async () => {
    const user = userEvent.setup();
    const { requests } = renderConversation({ routes: { 'POST /api/messages/whatsapp': inTurn(offline, () => accepted('Hello')) } });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Helo');
    await user.click(sendButton());
    await screen.findByRole('alert');
    await user.clear(message());
    await user.type(message(), 'Hello');
    await user.click(sendButton());
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    const [typo, fixed] = sendsOf(requests);
    expect(fixed?.body).toMatchObject({ text: 'Hello' });
    expect(keyOf(fixed)).not.toBe(keyOf(typo));
  });

  it('says when nobody knows whether the provider took the message, clears the draft and shows it in the timeline', async () => {
    const user = userEvent.setup();
    const items: Message[] = [aMessage({ text: 'hi' })];
    const record = (answer: Response) => async () => {
      const message = (await answer.clone().json()) as Message;
      items.unshift(message);
      return answer;
    };
    const { requests } = renderConversation({
      messages: () => timeline(items),
      routes: { 'POST /api/messages/whatsapp': inTurn(record(accepted('Hello', 'unknown')), record(accepted('Next'))) },
    });
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hello');
    await user.click(sendButton());
    const outcome = await screen.findByText(/^Delivery unknown\. We could not confirm whether the provider accepted this message\./);
    expect(outcome).toHaveAttribute('role', 'status');
    expect(outcome).toHaveClass('composer__outcome--warning');
    expect(message()).toHaveValue('');
    const bubble = (await bubbles()).at(-1);
    expect(bubble).toHaveClass('bubble--unknown');
    expect(bubble?.querySelector('.message-status')).toHaveTextContent('Delivery unknown');

    await user.type(message(), 'Next');
    await user.click(sendButton());
    await waitFor(() => expect(sendsOf(requests)).toHaveLength(2));
    expect(keyOf(sendsOf(requests)[1])).not.toBe(keyOf(sendsOf(requests)[0]));
  });

  it('retries a file without uploading it again, under the same key', async () => {
    const user = userEvent.setup();
    const target = {
      uploadUrl: 'http://media.test/wecare-local-media/outgoing/wecare/u-1/parcel.png?X-Amz-Signature=sig',
      s3Key: 'outgoing/wecare/u-1/parcel.png',
      kind: 'image',
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
    };
    const { requests } = renderConversation({
      routes: {
        'POST /api/media/uploads': () => json(201, target),
        'PUT /wecare-local-media/outgoing/wecare/u-1/parcel.png': () => new Response(null, { status: 200 }),
        'POST /api/messages/whatsapp': inTurn(offline, () => accepted('parcel')),
      },
    });
    await user.click(await screen.findByRole('radio', { name: 'Photo or file' }));
    await user.upload(screen.getByLabelText('File'), new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'parcel.png', { type: 'image/png' }));
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Cannot reach the server/);
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PUT' || r.url.pathname === '/api/media/uploads')).toHaveLength(2);
    const [first, retry] = sendsOf(requests);
    expect(retry?.body).toEqual({ contactId: 'c-ada', media: { s3Key: target.s3Key }, from: WA_DEFAULT });
    expect(retry?.body).toEqual(first?.body);
    expect(keyOf(retry)).toBe(keyOf(first));
  });
});

describe('ConversationPage: marking read', () => {
  const hi = () => aMessage({ messageId: 'in-1', text: 'Is my order on its way?' });
  const row = (message: Message, unreadCount: number) => ({
    contactId: 'c-ada',
    lastMessage: message,
    unreadCount,
    lastInboundAt: message.createdAt,
    windowExpiresAt: new Date(Date.now() + 5 * 3600_000).toISOString(),
    updatedAt: message.createdAt,
  });

  it('marks the conversation read when it is opened, and the inbox badge is gone on the way back', async () => {
    const user = userEvent.setup();
    const message = hi();
    let unread = 2;
    const { requests } = renderApp({
      path: '/inbox',
      as: 'Viewer',
      routes: {
        'GET /api/conversations': () => json(200, { items: [row(message, unread)], nextCursor: null }),
        'GET /api/contacts/c-ada': () => json(200, ada()),
        'GET /api/contacts/c-ada/messages': () => timeline([message]),
        'POST /api/conversations/c-ada/read': () => {
          unread = 0;
          return readAnswer();
        },
      },
    });
    const inboxRow = await screen.findByRole('link', { name: /Is my order on its way/ });
    expect(inboxRow.querySelector('.badge')).toHaveTextContent('2 unread');
    await user.click(inboxRow);
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeInTheDocument();
    await waitFor(() => expect(readsOf(requests)).toHaveLength(1));
    expect(readsOf(requests)[0]?.body).toBeUndefined();
    const inboxLoads = () => requests.filter((r) => r.method === 'GET' && r.url.pathname === '/api/conversations').length;
    const before = inboxLoads();

    await user.click(screen.getByRole('link', { name: '← Inbox' }));
    const back = await screen.findByRole('link', { name: /Is my order on its way/ });
    // Cleared at once, then confirmed by the inbox asking again.
    expect(back.querySelector('.badge')).toBeNull();
    await waitFor(() => expect(inboxLoads()).toBeGreaterThan(before));
    expect(back.querySelector('.badge')).toBeNull();
    expect(readsOf(requests)).toHaveLength(1);
  });

  it('does not write when the inbox knows everything is read', async () => {
    const user = userEvent.setup();
    const message = hi();
    const { requests } = renderApp({
      path: '/inbox',
      as: 'Operator',
      routes: {
        'GET /api/conversations': () => json(200, { items: [row(message, 0)], nextCursor: null }),
        'GET /api/contacts/c-ada': () => json(200, ada()),
        'GET /api/contacts/c-ada/messages': () => timeline([message]),
        'POST /api/conversations/c-ada/read': readAnswer,
      },
    });
    await user.click(await screen.findByRole('link', { name: /Is my order on its way/ }));
    expect(await bubbles()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readsOf(requests)).toHaveLength(0);
  });

  it('marks read again only when a new inbound message arrives, not on every poll', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let items: Message[] = [hi()];
      const { requests } = renderConversation({ messages: () => timeline(items) });
      await waitFor(() => expect(readsOf(requests)).toHaveLength(1));
      const polls = () => requests.filter((r) => r.url.pathname === '/api/contacts/c-ada/messages').length;
      const before = polls();
      await vi.advanceTimersByTimeAsync(3_100);
      await vi.advanceTimersByTimeAsync(3_100);
      await waitFor(() => expect(polls()).toBeGreaterThanOrEqual(before + 2));
      expect(readsOf(requests)).toHaveLength(1);

      // Our own reply is no reason to mark anything read.
      items = [aMessage({ messageId: 'out-1', direction: 'outbound', status: 'sent', text: 'Yes, today.' }), ...items];
      await vi.advanceTimersByTimeAsync(3_100);
      expect(await screen.findByText('Yes, today.')).toBeInTheDocument();
      expect(readsOf(requests)).toHaveLength(1);

      items = [aMessage({ messageId: 'in-2', text: 'Thanks!' }), ...items];
      await vi.advanceTimersByTimeAsync(3_100);
      expect(await screen.findByText('Thanks!')).toBeInTheDocument();
      await waitFor(() => expect(readsOf(requests)).toHaveLength(2));
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits until the tab is visible', async () => {
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    const { requests } = renderConversation({ messages: () => timeline([hi()]) });
    expect(await bubbles()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readsOf(requests)).toHaveLength(0);
    visibility.mockReturnValue('visible');
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(() => expect(readsOf(requests)).toHaveLength(1));
  });

  it('writes nothing for a conversation without inbound messages', async () => {
    const { requests } = renderConversation({
      messages: () => timeline([aMessage({ direction: 'outbound', status: 'sent', text: 'Your code is 42' })]),
    });
    expect(await bubbles()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readsOf(requests)).toHaveLength(0);
  });
});

describe('ConversationPage: sending a file on WhatsApp', () => {
  const upload = (name: string) => ({
    uploadUrl: `http://media.test/wecare-local-media/outgoing/wecare/u-1/${name}?X-Amz-Signature=sig`,
    s3Key: `outgoing/wecare/u-1/${name}`,
    kind: 'image',
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
  });
  const png = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'parcel.png', { type: 'image/png' });
  const stored = (s3Key: string, extra: Partial<Message> = {}) =>
    aMessage({
      messageId: 'm-file',
      direction: 'outbound',
      status: 'queued',
      // As the API records it: no name given is `null`.
      details: { type: 'image', media: { s3Key, mimeType: 'image/png', size: 4, filename: null } },
      ...extra,
    });
  const chooseFileMode = async (user: ReturnType<typeof userEvent.setup>) => {
    await user.click(await screen.findByRole('radio', { name: 'Photo or file' }));
    return screen.getByLabelText('File');
  };

  it('uploads the file, then sends it by its key with the caption, saying what it is doing', async () => {
    const user = userEvent.setup();
    const target = upload('parcel.png');
    let finishUpload: (response: Response) => void = () => undefined;
    const items: Message[] = [aMessage({ text: 'hi' })];
    const { requests, fetch } = renderConversation({
      messages: () => timeline(items),
      routes: {
        'POST /api/media/uploads': () => json(201, target),
        'PUT /wecare-local-media/outgoing/wecare/u-1/parcel.png': () =>
          new Promise<Response>((resolve) => (finishUpload = resolve)),
        'POST /api/messages/whatsapp': () => {
          const message = stored(target.s3Key, { text: 'Your parcel' });
          items.unshift({ ...message, details: { type: 'image', media: { ...(message.details?.media as object), url: 'http://media.test/get/parcel.png' } } });
          return json(202, message);
        },
      },
    });
    const input = await chooseFileMode(user);
    expect(input).toHaveAttribute('type', 'file');
    expect(input.getAttribute('accept')?.split(',')).toEqual(expect.arrayContaining(['image/jpeg', 'image/png', 'application/pdf']));
    expect(input).toHaveAccessibleDescription(/Photos \(JPEG, PNG\) up to 5 MB/);
    await user.upload(input, png());
    expect(screen.getByText('parcel.png')).toBeInTheDocument();
    expect(screen.getByText(/· 4 B · Photo/)).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Caption (optional)' }), 'Your parcel');
    await user.click(screen.getByRole('button', { name: 'Send file' }));

    expect(await screen.findByRole('button', { name: 'Uploading…' })).toBeDisabled();
    expect(screen.getByText('Uploading “parcel.png”…')).toHaveAttribute('role', 'status');
    finishUpload(new Response(null, { status: 200 }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();

    const calls = requests.filter((r) => r.method !== 'GET' && !r.url.pathname.endsWith('/read'));
    expect(calls.map((r) => `${r.method} ${r.url.origin}${r.url.pathname}`)).toEqual([
      'POST http://console.test/api/media/uploads',
      'PUT http://media.test/wecare-local-media/outgoing/wecare/u-1/parcel.png',
      'POST http://console.test/api/messages/whatsapp',
    ]);
    expect(calls[0]?.body).toEqual({ mimeType: 'image/png', size: 4, filename: 'parcel.png' });
    expect(calls[1]?.url.search).toBe('?X-Amz-Signature=sig');
    expect(calls[1]?.headers.get('Content-Type')).toBe('image/png');
    expect(calls[1]?.headers.get('Authorization')).toBeNull();
    expect(vi.mocked(fetch).mock.calls.find(([, init]) => init?.method === 'PUT')?.[1]?.body).toBeInstanceOf(File);
    expect(calls[2]?.body).toEqual({ contactId: 'c-ada', media: { s3Key: target.s3Key, caption: 'Your parcel' }, from: WA_DEFAULT });

    // Shown in the timeline from the URL the API gives it; the form is ready for the next file.
    expect(await screen.findByRole('img', { name: 'Photo from you: Your parcel' })).toHaveAttribute('src', 'http://media.test/get/parcel.png');
    expect(screen.queryByText('parcel.png')).not.toBeInTheDocument();
    expect(screen.getByLabelText('File')).toHaveValue('');
    expect(screen.getByRole('textbox', { name: 'Caption (optional)' })).toHaveValue('');
  });

  it('sends a document with its name, and no caption when none is written', async () => {
    const user = userEvent.setup();
    const target = upload('invoice.pdf');
    const { requests } = renderConversation({
      routes: {
        'POST /api/media/uploads': () => json(201, target),
        'PUT /wecare-local-media/outgoing/wecare/u-1/invoice.pdf': () => new Response(null, { status: 200 }),
        'POST /api/messages/whatsapp': () => json(202, stored(target.s3Key)),
      },
    });
    await user.upload(await chooseFileMode(user), new File(['%PDF-1.4'], 'invoice.pdf', { type: 'application/pdf' }));
    expect(screen.getByText(/· 8 B · Document/)).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Caption (optional)' }), '   ');
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    expect(await screen.findByText('Sent.')).toBeInTheDocument();
    expect(sendOf(requests)?.body).toEqual({ contactId: 'c-ada', media: { s3Key: target.s3Key, filename: 'invoice.pdf' }, from: WA_DEFAULT });
  });

  it('offers no caption for audio, which WhatsApp shows without one', async () => {
    const user = userEvent.setup();
    renderConversation();
    await user.upload(await chooseFileMode(user), new File(['ogg'], 'note.ogg', { type: 'audio/ogg' }));
    const caption = screen.getByRole('textbox', { name: 'Caption (optional)' });
    expect(caption).toBeDisabled();
    expect(caption).toHaveAccessibleDescription('WhatsApp shows no caption with audio or stickers.');
  });

  it('refuses at once, in words, a file WhatsApp does not take or one too large, and sends nothing', async () => {
    const user = userEvent.setup({ applyAccept: false });
    const { requests } = renderConversation();
    const input = await chooseFileMode(user);
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    expect(screen.getByText('Choose a file to send.')).toBeInTheDocument();
    expect(input).toHaveFocus();
    expect(input).toHaveAttribute('aria-invalid', 'true');

    await user.upload(input, new File(['GIF89a'], 'cat.gif', { type: 'image/gif' }));
    expect(input).toHaveAccessibleDescription(/“cat\.gif” cannot be sent on WhatsApp: files of type image\/gif are not accepted\./);
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    expect(input).toHaveFocus();

    const big = png();
    Object.defineProperty(big, 'size', { value: 6 * 1024 * 1024 });
    await user.upload(input, big);
    expect(screen.getByText('“parcel.png” is too large (6 MB): WhatsApp takes images of up to 5 MB.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send file' }));

    await user.click(screen.getByRole('button', { name: 'Remove parcel.png' }));
    expect(screen.queryByText(/is too large/)).not.toBeInTheDocument();
    expect(input).toHaveValue('');
    expect(requests.filter((r) => r.method !== 'GET' && !r.url.pathname.endsWith('/read'))).toEqual([]);
  });

  it('explains a failed upload, sends nothing and keeps the file for another try', async () => {
    const user = userEvent.setup();
    const target = upload('parcel.png');
    const { requests } = renderConversation({
      routes: {
        'POST /api/media/uploads': () => json(201, target),
        'PUT /wecare-local-media/outgoing/wecare/u-1/parcel.png': () => new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 }),
      },
    });
    await user.upload(await chooseFileMode(user), png());
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The file could not be uploaded (the file storage answered HTTP 403), so nothing was sent. Try again.');
    await waitFor(() => expect(alert.parentElement).toHaveFocus());
    expect(sendOf(requests)).toBeUndefined();
    expect(screen.getByText('parcel.png')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send file' })).toBeEnabled();
  });

  it('explains what the API refuses about the file', async () => {
    const user = userEvent.setup();
    renderConversation({
      routes: {
        'POST /api/media/uploads': () =>
          json(400, { error: { code: 'VALIDATION_FAILED', message: 'mimeType: is 6291456 bytes; WhatsApp accepts at most 5242880 bytes for image' } }),
      },
    });
    await user.upload(await chooseFileMode(user), png());
    await user.click(screen.getByRole('button', { name: 'Send file' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The file is 6291456 bytes; WhatsApp accepts at most 5242880 bytes for image.');
  });
});
