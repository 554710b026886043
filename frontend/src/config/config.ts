// The console's settings, read once at start from `config.json` served beside the bundle.
// 
// The same build runs locally and in production: the local stack serves a `config.json`
// generated from its own resources, production deploys one with the SPA. A missing or invalid
// file stops the console with a message naming every bad setting — there are no defaults.
import * as z from 'zod/mini';

export const configSchema = z.object({
  /** Where the HTTP API is mounted, usually `/api` on the same origin. */
  apiBase: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  /** Cognito's endpoint (moto locally, `https://cognito-idp.<region>.amazonaws.com/` in AWS). */
  cognitoEndpoint: z.url(),
  userPoolId: z.string().check(z.minLength(1)),
  userPoolClientId: z.string().check(z.minLength(1)),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Fetches and validates `config.json`; throws a ConfigError that says what is wrong. */
export async function loadConfig(url: string, fetchFn: typeof fetch = fetch): Promise<AppConfig> {
  let response: Response;
  try {
    // Same request as index.html's preload (a different one would fetch the file twice).
    response = await fetchFn(url);
  } catch {
    throw new ConfigError(`Cannot load ${url}: the server did not answer.`);
  }
  if (!response.ok) {
    throw new ConfigError(`Cannot load ${url}: the server answered ${response.status}.`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not JSON.`);
  }
  const parsed = configSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${url} is invalid — ${problems.join('; ')}`);
  }
  return parsed.data;
}
