import { ApiClient } from '@/lib/api-client';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { aMessage } from '@/testing/fixtures';
import { getConversationContact } from './get-contact';
import { getTimeline } from './get-timeline';
import { mediaOf } from './message';
import { sendEmail } from './send-email';
import { sendSms } from './send-sms';
import { sendWhatsApp } from './send-whatsapp';

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const network = fakeFetch(routes);
  return { api: new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch }), requests: network.requests };
}

describe('getTimeline', () => {
  it('reads a page of messages and the window', async () => {
    const { api, requests } = client({
      'GET /api/contacts/c-ada/messages': () =>
        json(200, { items: [aMessage({ text: 'hi' })], nextCursor: 'older', window: { state: 'open', expiresAt: '2026-11-21T09:00:00Z' } }),
    });
    const page = await getTimeline(api, 'c-ada', { cursor: 'x' });
    expect(requests[0]?.url.search).toBe('?limit=30&cursor=x');
    expect(page.window).toEqual({ state: 'open', expiresAt: '2026-11-21T09:00:00Z' });
    expect(page.items[0]?.text).toBe('hi');
    expect(page.nextCursor).toBe('older');
  });

  it('reads a closed window and statuses it does not know', async () => {
    const { api } = client({
      'GET /api/contacts/c-ada/messages': () =>
        json(200, { items: [aMessage({ direction: 'outbound', status: 'accepted' })], nextCursor: null, window: { state: 'closed' } }),
    });
    const page = await getTimeline(api, 'c-ada', {});
    expect(page.window).toEqual({ state: 'closed' });
    expect(page.items[0]?.status).toBe('accepted');
  });
});

describe('mediaOf', () => {
  it('reads media of the documented shape and ignores anything else', () => {
    expect(mediaOf({ details: { type: 'image', media: { mimeType: 'image/png', size: 68, s3Key: 'k', url: 'https://s3/x' } } })).toEqual({
      mimeType: 'image/png',
      size: 68,
      s3Key: 'k',
      url: 'https://s3/x',
    });
    expect(mediaOf({ details: { type: 'text' } })).toBeNull();
    expect(mediaOf({ details: { media: { size: 'big' } } })).toBeNull();
    expect(mediaOf({})).toBeNull();
  });
});

describe('getConversationContact', () => {
  it('reads addresses and opt-ins', async () => {
    const { api } = client({
      'GET /api/contacts/c-ada': () =>
        json(200, { contactId: 'c-ada', phone: '+1', optInWhatsApp: true, optInSms: false, optInEmail: false, consentHistory: [] }),
    });
    await expect(getConversationContact(api, 'c-ada')).resolves.toEqual({
      contactId: 'c-ada',
      phone: '+1',
      optInWhatsApp: true,
      optInSms: false,
      optInEmail: false,
    });
  });
});

describe('sending', () => {
  const sent = (body: Record<string, unknown>) => json(202, aMessage({ direction: 'outbound', status: 'queued', ...body }));

  it('posts WhatsApp text or a template as the API takes them', async () => {
    const { api, requests } = client({ 'POST /api/messages/whatsapp': () => sent({}) });
    await sendWhatsApp(api, { contactId: 'c-ada', text: 'Hello' });
    await sendWhatsApp(api, { contactId: 'c-ada', template: { name: 'order_update', language: 'en_US', parameters: ['42'] } });
    expect(requests.map((r) => r.body)).toEqual([
      { contactId: 'c-ada', text: 'Hello' },
      { contactId: 'c-ada', template: { name: 'order_update', language: 'en_US', parameters: ['42'] } },
    ]);
  });

  it('posts an SMS and an email', async () => {
    const { api, requests } = client({
      'POST /api/messages/sms': () => sent({ channel: 'sms', segments: 1, encoding: 'GSM-7' }),
      'POST /api/messages/email': () => sent({ channel: 'email', status: 'sent' }),
    });
    await expect(sendSms(api, { contactId: 'c-ada', text: 'Hi' })).resolves.toMatchObject({ segments: 1, encoding: 'GSM-7' });
    await sendEmail(api, { contactId: 'c-ada', subject: 'Order', html: '<p>Ready</p>' });
    expect(requests.map((r) => [r.url.pathname, r.body])).toEqual([
      ['/api/messages/sms', { contactId: 'c-ada', text: 'Hi' }],
      ['/api/messages/email', { contactId: 'c-ada', subject: 'Order', html: '<p>Ready</p>' }],
    ]);
  });

  it('passes refusals on as ApiErrors with their code', async () => {
    const { api } = client({
      'POST /api/messages/whatsapp': () =>
        json(422, { error: { code: 'TEMPLATE_REQUIRED', message: 'the 24-hour window is closed' } }),
    });
    await expect(sendWhatsApp(api, { contactId: 'c-ada', text: 'x' })).rejects.toMatchObject({ code: 'TEMPLATE_REQUIRED' });
  });
});
