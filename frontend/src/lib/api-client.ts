// The HTTP client every feature's fetchers use: same-origin JSON under `apiBase`, the session's
// ID token as a bearer token, responses validated with the endpoint's zod schema.
import type * as z from 'zod/mini';
import { ApiError, parseRetryAfter } from './api-error';

export type Query = Record<string, string | number | null | undefined>;

export interface ApiClientOptions {
  /** `apiBase` from config.json, e.g. `/api`. */
  baseUrl: string;
  /** The current ID token (refreshed if it is about to expire), or null when signed out. */
  getToken: () => Promise<string | null>;
  /** Called when the API no longer accepts the session (401, or 403 from the gateway). */
  onSessionRejected?: () => void;
  fetch?: typeof fetch;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
}

const errorBody = (value: unknown): { code: string; message: string } | null => {
  if (typeof value !== 'object' || value === null || !('error' in value)) return null;
  const error = value.error;
  if (typeof error !== 'object' || error === null) return null;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return code ? { code, message } : null;
};

const gatewayBody = (value: unknown): string | null =>
  typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string'
    ? value.message
    : null;

const GATEWAY_CODES: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
};

export class ApiClient {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
  }

  get<S extends z.ZodMiniType>(path: string, schema: S, options: Omit<RequestOptions, 'body'> = {}) {
    return this.request('GET', path, schema, options);
  }

  post<S extends z.ZodMiniType>(path: string, body: unknown, schema: S, options: Pick<RequestOptions, 'headers'> = {}) {
    return this.request('POST', path, schema, { ...options, body });
  }

  patch<S extends z.ZodMiniType>(path: string, body: unknown, schema: S) {
    return this.request('PATCH', path, schema, { body });
  }

  async delete(path: string): Promise<void> {
    await this.send('DELETE', path, {});
  }

  async request<S extends z.ZodMiniType>(
    method: string,
    path: string,
    schema: S,
    options: RequestOptions,
  ): Promise<z.output<S>> {
    const response = await this.send(method, path, options);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${path} answered with a body that is not JSON`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      console.error(`${method} ${path}: unexpected response`, parsed.error.issues);
      throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${path} answered in an unexpected shape`);
    }
    return parsed.data;
  }

  private url(path: string, query?: Query): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${base}${path}${search ? `?${search}` : ''}`;
  }

  private async send(method: string, path: string, { query, body, signal, headers: extra }: RequestOptions): Promise<Response> {
    const token = await this.options.getToken();
    if (!token) {
      this.options.onSessionRejected?.();
      throw new ApiError(401, 'UNAUTHENTICATED', 'You are signed out.');
    }
    const headers: Record<string, string> = { ...extra, Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    let response: Response;
    try {
      response = await this.fetchFn(this.url(path, query), {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new ApiError(0, 'NETWORK', `${method} ${path} got no answer`);
    }
    if (response.ok) return response;

    const payload: unknown = await response.json().catch(() => null);
    const apiError = errorBody(payload);
    const gatewayMessage = apiError ? null : gatewayBody(payload);
    const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
    const error = apiError
      ? new ApiError(response.status, apiError.code, apiError.message, false, retryAfter)
      : gatewayMessage !== null
        ? new ApiError(response.status, GATEWAY_CODES[response.status] ?? 'INTERNAL', gatewayMessage, true, retryAfter)
        : new ApiError(
            response.status,
            response.status >= 500 ? 'INTERNAL' : `HTTP_${response.status}`,
            `${method} ${path} failed with HTTP ${response.status}`,
          );
    if (error.isSessionRejected) this.options.onSessionRejected?.();
    throw error;
  }
}
