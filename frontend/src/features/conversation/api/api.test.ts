import { ApiClient } from '@/lib/api-client';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { aMessage } from '@/testing/fixtures';
import { createMediaUpload, putUpload } from '@/lib/media-upload';
import { getConversationContact } from './get-contact';
import { getTimeline } from './get-timeline';
import { markConversationRead } from './mark-read';
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
    // What the API stores for an outbound file sent without a name.
    expect(
      mediaOf({ details: { type: 'image', media: { s3Key: 'k', mimeType: 'image/png', size: 68, filename: null, url: 'u', urlExpiresAt: 't' } } }),
    ).toEqual({ s3Key: 'k', mimeType: 'image/png', size: 68, filename: null, url: 'u', urlExpiresAt: 't' });
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
  const sent = (body: Record<string, unknown>) => json(202, aMessage({ direction: 'outbound', status: 'sent', ...body }));
  const key = (idempotencyKey: string) => ({ idempotencyKey });

  it('posts WhatsApp text or a template as the API takes them, from the chosen number, under its Idempotency-Key', async () => {
    const { api, requests } = client({ 'POST /api/messages/whatsapp': () => sent({}) });
    await sendWhatsApp(api, { contactId: 'c-ada', text: 'Hello', from: 'phone-number-id-f9e8' }, key('k-1'));
    await sendWhatsApp(api, { contactId: 'c-ada', template: { name: 'order_update', language: 'en_US', parameters: ['42'] } }, key('k-2'));
    expect(requests.map((r) => r.body)).toEqual([
      { contactId: 'c-ada', text: 'Hello', from: 'phone-number-id-f9e8' },
      { contactId: 'c-ada', template: { name: 'order_update', language: 'en_US', parameters: ['42'] } },
    ]);
    expect(requests.map((r) => r.headers.get('Idempotency-Key'))).toEqual(['k-1', 'k-2']);
  });

  it('posts an SMS and an email, each with its sender and key', async () => {
    const { api, requests } = client({
      'POST /api/messages/sms': () => sent({ channel: 'sms', segments: 1, encoding: 'GSM-7' }),
      'POST /api/messages/email': () => sent({ channel: 'email', status: 'sent' }),
    });
    await expect(sendSms(api, { contactId: 'c-ada', text: 'Hi', from: 'pool-1' }, key('k-sms'))).resolves.toMatchObject({
      segments: 1,
      encoding: 'GSM-7',
    });
    await sendEmail(api, { contactId: 'c-ada', subject: 'Order', html: '<p>Ready</p>', from: 'care@wecare.digital' }, key('k-email'));
    expect(requests.map((r) => [r.url.pathname, r.body, r.headers.get('Idempotency-Key')])).toEqual([
      ['/api/messages/sms', { contactId: 'c-ada', text: 'Hi', from: 'pool-1' }, 'k-sms'],
      ['/api/messages/email', { contactId: 'c-ada', subject: 'Order', html: '<p>Ready</p>', from: 'care@wecare.digital' }, 'k-email'],
    ]);
  });

  it('reads what a send may answer: sent, delivery unknown, a dry run', async () => {
    let status = 'sent';
    const { api } = client({ 'POST /api/messages/sms': () => sent({ channel: 'sms', status }) });
    for (const answer of ['sent', 'unknown', 'dry_run']) {
      status = answer;
      await expect(sendSms(api, { contactId: 'c-ada', text: 'Hi' }, key(`k-${answer}`))).resolves.toMatchObject({ status: answer });
    }
  });

  it('passes refusals on as ApiErrors with their code', async () => {
    const { api } = client({
      'POST /api/messages/whatsapp': () =>
        json(422, { error: { code: 'TEMPLATE_REQUIRED', message: 'the 24-hour window is closed' } }),
      'POST /api/messages/sms': () => json(409, { error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: 'the same request is being processed' } }),
      'POST /api/messages/email': () => json(403, { error: { code: 'NOT_ALLOWLISTED', message: 'x@y.z is not one of your senders' } }),
    });
    await expect(sendWhatsApp(api, { contactId: 'c-ada', text: 'x' }, key('k'))).rejects.toMatchObject({ code: 'TEMPLATE_REQUIRED' });
    await expect(sendSms(api, { contactId: 'c-ada', text: 'x' }, key('k'))).rejects.toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
    // A function's 403 is a refusal, not the gateway ending the session.
    await expect(sendEmail(api, { contactId: 'c-ada', subject: 'x', text: 'x' }, key('k'))).rejects.toMatchObject({
      status: 403,
      code: 'NOT_ALLOWLISTED',
      isSessionRejected: false,
    });
  });
});

describe('marking read', () => {
  it('posts no body to the conversation’s read endpoint', async () => {
    const { api, requests } = client({
      'POST /api/conversations/c%2Fada/read': () => json(200, { contactId: 'c/ada', unreadCount: 0, changed: true }),
    });
    await expect(markConversationRead(api, 'c/ada')).resolves.toEqual({ contactId: 'c/ada', unreadCount: 0, changed: true });
    expect(requests[0]?.body).toBeUndefined();
    expect(requests[0]?.headers.get('Content-Type')).toBeNull();
  });
});

describe('uploading a file', () => {
  it('asks for an upload URL with the type, size and name', async () => {
    const upload = { uploadUrl: 'http://s3.test/b/k?X-Amz-Signature=1', s3Key: 'outgoing/wecare/1/a.png', kind: 'image', expiresAt: 'x' };
    const { api, requests } = client({ 'POST /api/media/uploads': () => json(201, upload) });
    await expect(createMediaUpload(api, { mimeType: 'image/png', size: 68, filename: 'a.png' })).resolves.toEqual(upload);
    expect(requests[0]?.body).toEqual({ mimeType: 'image/png', size: 68, filename: 'a.png' });
  });

  it('PUTs the bytes with the declared type and no token, and says when storage refuses', async () => {
    const network = fakeFetch({
      'PUT /b/ok': () => new Response(null, { status: 200 }),
      'PUT /b/expired': () => new Response('<Error/>', { status: 403 }),
    });
    const file = new Blob(['png'], { type: 'image/png' });
    await putUpload({ uploadUrl: 'http://s3.test/b/ok?X-Amz-Signature=1' }, file, 'image/png', network.fetch);
    expect(network.requests[0]?.url.href).toBe('http://s3.test/b/ok?X-Amz-Signature=1');
    expect(network.requests[0]?.headers.get('Content-Type')).toBe('image/png');
    expect(network.requests[0]?.headers.get('Authorization')).toBeNull();
    expect(vi.mocked(network.fetch).mock.calls[0]?.[1]?.body).toBe(file);
    await expect(putUpload({ uploadUrl: 'http://s3.test/b/expired' }, file, 'image/png', network.fetch)).rejects.toMatchObject({
      code: 'UPLOAD_FAILED',
      status: 403,
    });
    const offline = vi.fn(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(putUpload({ uploadUrl: 'http://s3.test/b/ok' }, file, 'image/png', offline)).rejects.toMatchObject({
      code: 'UPLOAD_FAILED',
      status: 0,
    });
  });

  it('sends a file by its key, with a caption and a document’s name', async () => {
    const { api, requests } = client({ 'POST /api/messages/whatsapp': () => json(202, aMessage({ direction: 'outbound', status: 'sent' })) });
    await sendWhatsApp(api, { contactId: 'c-ada', media: { s3Key: 'outgoing/wecare/1/a.pdf', caption: 'Invoice', filename: 'a.pdf' } }, { idempotencyKey: 'k' });
    expect(requests[0]?.body).toEqual({ contactId: 'c-ada', media: { s3Key: 'outgoing/wecare/1/a.pdf', caption: 'Invoice', filename: 'a.pdf' } });
  });
});
