// A stand-in for `fetch` in unit tests: answers requests by "METHOD /path" and records them.
import { vi } from 'vitest';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

export type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function fakeFetch(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    await Promise.resolve();
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://console.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const text = typeof init?.body === 'string' ? init.body : null;
    const request: RecordedRequest = {
      method,
      url,
      headers: new Headers(init?.headers),
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    requests.push(request);
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const target = request.headers.get('X-Amz-Target');
    const key = target ? `POST cognito ${target.split('.').pop() ?? ''}` : `${method} ${url.pathname}`;
    const handler = routes[key];
    if (!handler) return json(404, { message: `no fake for ${key}` });
    return handler(request);
  });
  return { fetch: fn as unknown as typeof fetch, requests };
}
