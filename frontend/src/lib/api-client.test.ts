import * as z from 'zod/mini';
import { fakeFetch, json } from '@/testing/fake-fetch';
import { ApiClient } from './api-client';
import { ApiError } from './api-error';

const itemSchema = z.object({ id: z.string() });

function client(routes: Parameters<typeof fakeFetch>[0], token: string | null = 'tok') {
  const network = fakeFetch(routes);
  const onSessionRejected = vi.fn();
  const api = new ApiClient({
    baseUrl: '/api/',
    getToken: () => Promise.resolve(token),
    onSessionRejected,
    fetch: network.fetch,
  });
  return { api, onSessionRejected, requests: network.requests };
}

describe('ApiClient', () => {
  it('sends the ID token as a bearer token and validates the answer', async () => {
    const { api, requests } = client({ 'GET /api/items': () => json(200, { id: 'a' }) });
    await expect(api.get('/items', itemSchema, { query: { limit: 5, cursor: null } })).resolves.toEqual({ id: 'a' });
    expect(requests[0]?.headers.get('Authorization')).toBe('Bearer tok');
    expect(requests[0]?.url.search).toBe('?limit=5');
  });

  it('sends JSON bodies', async () => {
    const { api, requests } = client({ 'POST /api/items': () => json(201, { id: 'b' }) });
    await api.post('/items', { name: 'x' }, itemSchema);
    expect(requests[0]?.headers.get('Content-Type')).toBe('application/json');
    expect(requests[0]?.body).toEqual({ name: 'x' });
  });

  it('sends extra headers such as an Idempotency-Key, never in place of the token', async () => {
    const { api, requests } = client({ 'POST /api/items': () => json(202, { id: 'c' }) });
    await api.post('/items', { name: 'x' }, itemSchema, { headers: { 'Idempotency-Key': 'k-1', Authorization: 'Bearer forged' } });
    expect(requests[0]?.headers.get('Idempotency-Key')).toBe('k-1');
    expect(requests[0]?.headers.get('Authorization')).toBe('Bearer tok');
  });

  it('accepts 204 for deletes', async () => {
    const { api } = client({ 'DELETE /api/items/1': () => new Response(null, { status: 204 }) });
    await expect(api.delete('/items/1')).resolves.toBeUndefined();
  });

  it("turns the API's error body into an ApiError with its code", async () => {
    const { api, onSessionRejected } = client({
      'POST /api/items': () => json(400, { error: { code: 'VALIDATION_FAILED', message: 'phone: is not valid' } }),
    });
    const error = await api.post('/items', {}, itemSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'phone: is not valid', fromGateway: false });
    expect(onSessionRejected).not.toHaveBeenCalled();
  });

  it("ends the session when the gateway refuses the token (401 or 403 {message})", async () => {
    for (const [status, message] of [
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
    ] as const) {
      const { api, onSessionRejected } = client({ 'GET /api/items': () => json(status, { message }) });
      const error = await api.get('/items', itemSchema).catch((e: unknown) => e);
      expect(error).toMatchObject({ status, fromGateway: true, isSessionRejected: true });
      expect(onSessionRejected).toHaveBeenCalledOnce();
    }
  });

  it('keeps the session on a FORBIDDEN from a function (the role, not the token)', async () => {
    const { api, onSessionRejected } = client({
      'POST /api/items': () => json(403, { error: { code: 'FORBIDDEN', message: 'your role does not allow this action' } }),
    });
    await expect(api.post('/items', {}, itemSchema)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(onSessionRejected).not.toHaveBeenCalled();
  });

  it('reports an answer of the wrong shape as BAD_RESPONSE', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { api } = client({ 'GET /api/items': () => json(200, { id: 42 }) });
    await expect(api.get('/items', itemSchema)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('reports no answer at all as NETWORK', async () => {
    const api = new ApiClient({
      baseUrl: '/api',
      getToken: () => Promise.resolve('tok'),
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    await expect(api.get('/items', itemSchema)).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });

  it('does not call the API without a session', async () => {
    const { api, requests, onSessionRejected } = client({}, null);
    await expect(api.get('/items', itemSchema)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(requests).toHaveLength(0);
    expect(onSessionRejected).toHaveBeenCalledOnce();
  });
});

describe('ApiClient and Retry-After', () => {
  it('keeps how long to wait before retrying a throttled request', async () => {
    const network = fakeFetch({
      'POST /api/items': () =>
        new Response(JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'sending too fast' } }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '3' },
        }),
    });
    const api = new ApiClient({ baseUrl: '/api', getToken: () => Promise.resolve('tok'), fetch: network.fetch });
    await expect(api.post('/items', {}, itemSchema)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3 });
  });
});
