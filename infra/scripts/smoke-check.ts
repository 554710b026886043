// Why this exists: the last step of a deploy asks the deployed environment, through the same
// CloudFront address operators use, whether it answers: the API's health route (API Gateway, the
// users function, the `/api/*` behaviour), the console's config.json (published with the bundle,
// pointing at this stack's sign-in client) and its index page. A new distribution or a fresh
// function may take a moment, so each check is tried a few times before the deploy is failed.
//
//   node --import tsx scripts/smoke-check.ts https://base.wecare.digital [--attempts 10] [--delay-seconds 15]

/** The settings the console reads from config.json (frontend/src/config/config.ts). */
export const CONSOLE_CONFIG_KEYS = ['apiBase', 'region', 'cognitoEndpoint', 'userPoolId', 'userPoolClientId'] as const;

export interface SmokeOptions {
  /** Tries per check before it fails. */
  readonly attempts: number;
  /** Wait between tries. */
  readonly delayMs: number;
  readonly fetch?: typeof fetch;
}

interface Check {
  readonly path: string;
  /** Why the answer is wrong, or undefined when it is right. */
  readonly verify: (response: Response, body: string) => string | undefined;
}

const json = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const CHECKS: readonly Check[] = [
  {
    path: '/api/health',
    verify: (response, body) => {
      if (response.status !== 200) return `answered ${response.status}`;
      const parsed = json(body) as { status?: unknown } | undefined;
      return parsed?.status === 'ok' ? undefined : `answered ${body.slice(0, 200)}, not {"status":"ok"}`;
    },
  },
  {
    path: '/config.json',
    verify: (response, body) => {
      if (response.status !== 200) return `answered ${response.status}: the console was not published with its config.json`;
      const parsed = json(body) as Record<string, unknown> | undefined;
      const missing = CONSOLE_CONFIG_KEYS.filter((key) => typeof parsed?.[key] !== 'string' || parsed[key] === '');
      return missing.length === 0 ? undefined : `lacks ${missing.join(', ')}`;
    },
  },
  {
    path: '/',
    verify: (response) => {
      if (response.status !== 200) return `answered ${response.status}`;
      const type = response.headers.get('content-type') ?? '';
      return type.startsWith('text/html') ? undefined : `is ${type || 'of no content type'}, not the console's index.html`;
    },
  },
];

/**
 * Runs every check against `baseUrl` (the `ConsoleUrl` output); answers what passed, throws with
 * what failed on its last try.
 */
export async function smokeCheck(baseUrl: string, options: SmokeOptions): Promise<string[]> {
  const get = options.fetch ?? fetch;
  const base = baseUrl.replace(/\/+$/, '');
  const passed: string[] = [];
  for (const check of CHECKS) {
    const url = `${base}${check.path}`;
    let problem = 'was not tried';
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      try {
        const response = await get(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        problem = check.verify(response, await response.text()) ?? '';
      } catch (e) {
        problem = `could not be fetched (${(e as Error).message})`;
      }
      if (problem === '') break;
      if (attempt < options.attempts) await new Promise((r) => setTimeout(r, options.delayMs));
    }
    if (problem !== '') throw new Error(`smoke check failed: ${url} ${problem} (after ${options.attempts} tries)`);
    passed.push(`${url} ok`);
  }
  return passed;
}

/** `<url> [--attempts N] [--delay-seconds S]`. */
function parseArgs(args: readonly string[]): { url: string; options: SmokeOptions } {
  let url: string | undefined;
  let attempts = 10;
  let delaySeconds = 15;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = (): number => {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} takes a whole number`);
      return n;
    };
    if (arg === '--attempts') attempts = Math.max(1, value());
    else if (arg === '--delay-seconds') delaySeconds = value();
    else if (url === undefined && /^https?:\/\//.test(arg)) url = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (url === undefined) throw new Error('usage: smoke-check <console url> [--attempts N] [--delay-seconds S]');
  return { url, options: { attempts, delayMs: delaySeconds * 1000 } };
}

if (require.main === module) {
  (async () => {
    const { url, options } = parseArgs(process.argv.slice(2));
    for (const line of await smokeCheck(url, options)) process.stdout.write(`${line}\n`);
  })().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
