import { fakeFetch, json } from '@/testing/fake-fetch';
import { ApiClient } from './api-client';
import { defaultSenderOf, getSenders, senderName, sendersOn, type Sender } from './senders';

const first: Sender = { senderId: 'phone-number-id-0a1b', channel: 'whatsapp', label: '+91 93309 94400', default: true, ratePerSecond: 80 };
const second: Sender = { senderId: 'phone-number-id-f9e8', channel: 'whatsapp', label: '+91 99033 00044', default: false };
const pool: Sender = { senderId: 'pool-1', channel: 'sms', label: 'WECARE', default: true };

describe('getSenders', () => {
  it('reads the organisation’s senders of every channel in one request', async () => {
    const network = fakeFetch({ 'GET /api/senders': () => json(200, { items: [second, pool, first, { ...pool, senderId: 'x', channel: 'fax' }] }) });
    const api = new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch });
    const senders = await getSenders(api);
    expect(senders.map((s) => s.senderId)).toEqual(['phone-number-id-f9e8', 'pool-1', 'phone-number-id-0a1b', 'x']);
    expect(network.requests[0]?.url.search).toBe('');
  });
});

describe('sendersOn and defaultSenderOf', () => {
  it('lists a channel’s senders, the default first', () => {
    expect(sendersOn([second, pool, first], 'whatsapp')).toEqual([first, second]);
    expect(sendersOn([second, pool, first], 'email')).toEqual([]);
    expect(defaultSenderOf([second, pool, first], 'whatsapp')).toBe(first);
  });

  it('falls back to the first when none is marked default, as the API does', () => {
    expect(defaultSenderOf([second, { ...first, default: false }], 'whatsapp')).toBe(second);
    expect(defaultSenderOf([pool], 'whatsapp')).toBeUndefined();
  });
});

describe('senderName', () => {
  it('names one of the organisation’s senders by its label, anything else by its id', () => {
    expect(senderName([first, second], 'phone-number-id-f9e8')).toBe('+91 99033 00044');
    expect(senderName([first], 'phone-number-id-gone')).toBe('phone-number-id-gone');
    expect(senderName(undefined, 'phone-number-id-0a1b')).toBe('phone-number-id-0a1b');
    expect(senderName([{ ...first, label: ' ' }], 'phone-number-id-0a1b')).toBe('phone-number-id-0a1b');
  });
});
