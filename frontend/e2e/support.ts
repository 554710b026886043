// Shared helpers of the browser suite: the stack's users, signing in through the UI, seeding
// contacts through the API, axe checks and screenshots under artifacts/.
import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export type Role = 'Admin' | 'Operator' | 'Viewer';

interface StackUser {
  email: string;
  password: string;
  role: Role;
  tenantId: string;
}

interface Stack {
  apiUrl: string;
  /** The provider sandbox: its ledger, injected faults, and a customer who writes and receives (`/customer/*`). */
  sandboxUrl: string;
  users: StackUser[];
}

const stackFile = process.env.WECARE_E2E_STACK_FILE;
if (!stackFile) throw new Error('WECARE_E2E_STACK_FILE is not set: run the suite with `npm run e2e`');
export const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as Stack;

export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export function user(role: Role, tenantId = 'wecare'): StackUser {
  const found = stack.users.find((u) => u.role === role && u.tenantId === tenantId);
  if (!found) throw new Error(`the stack has no ${role} in tenant ${tenantId}`);
  return found;
}

/**
 * Signs in through the form and waits for the contacts page. It starts from /contacts, which sends
 * a signed-out visitor to the form and back: an Operator's or Admin's own home is the overview
 * (see `signInHome`).
 */
export async function signIn(page: Page, who: StackUser): Promise<void> {
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
}

/** Signs in from the sign-in page and waits for where it lands: the role's home page. */
export async function signInHome(page: Page, who: StackUser): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const home = who.role === 'Viewer' ? 'Contacts' : 'Overview';
  await expect(page.getByRole('heading', { level: 1, name: home })).toBeVisible();
}

interface ConsoleConfig {
  cognitoEndpoint: string;
  userPoolClientId: string;
}

const tokens = new Map<string, Promise<string>>();

/** An ID token for `who`, from Cognito, as the console gets one. */
export function idToken(who: StackUser): Promise<string> {
  let token = tokens.get(who.email);
  if (!token) {
    token = (async () => {
      const config = (await (await fetch(`${stack.apiUrl}/config.json`)).json()) as ConsoleConfig;
      const response = await fetch(config.cognitoEndpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        },
        body: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: config.userPoolClientId,
          AuthParameters: { USERNAME: who.email, PASSWORD: who.password },
        }),
      });
      const body = (await response.json()) as { AuthenticationResult: { IdToken: string } };
      return body.AuthenticationResult.IdToken;
    })();
    tokens.set(who.email, token);
  }
  return token;
}

export interface SeededContact {
  contactId: string;
  name?: string;
  phone?: string;
  email?: string;
}

/** Creates a contact through the API (faster than the form, for tests about other things). */
export async function seedContact(
  body: { name?: string; phone?: string; email?: string; optInWhatsApp?: boolean; optInSms?: boolean; optInEmail?: boolean },
  who: StackUser = user('Operator'),
): Promise<SeededContact> {
  const response = await fetch(`${stack.apiUrl}/api/contacts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await idToken(who)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`seeding a contact answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SeededContact;
}

/** Calls the API as `who` and returns the JSON answer; throws on an unexpected status. */
export async function callApi<T>(
  method: string,
  path: string,
  body?: unknown,
  { who = user('Operator'), expect: status = [200, 201, 202] }: { who?: StackUser; expect?: number[] } = {},
): Promise<T> {
  const response = await fetch(`${stack.apiUrl}/api${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${await idToken(who)}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!status.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Asks the sandbox, as the customer's side of WhatsApp, to do something (`/customer/…`). */
export async function asCustomer<T = unknown>(path: 'messages' | 'statuses', body: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${stack.sandboxUrl}/customer/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox /customer/${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A provider failure the sandbox injects into the next `count` calls of `operation`. */
export type SandboxFault =
  | { operation: string; count: number; status: number; code: string; message?: string }
  /** Accept the call, then drop the connection: the sender cannot know whether it was taken. */
  | { operation: string; count: number; mode: 'drop' };

/**
 * Makes the provider sandbox fail the next calls of an operation. Faults are global to the
 * sandbox, not per test: a test that injects one must hold the `-exclusive-` lock, so that no
 * other test's send takes it, and clear what is left with `clearSandboxFaults`.
 */
export async function injectSandboxFault(fault: SandboxFault): Promise<void> {
  const response = await fetch(`${stack.sandboxUrl}/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`sandbox /faults answered ${response.status}: ${await response.text()}`);
}

export async function clearSandboxFaults(): Promise<void> {
  const response = await fetch(`${stack.sandboxUrl}/faults`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`sandbox DELETE /faults answered ${response.status}: ${await response.text()}`);
}

/** One provider call the sandbox received. */
export interface LedgerEntry {
  service: string;
  operation: string;
  /** As the service decoded it (a WhatsApp message's `message` is base64-decoded). */
  request: Record<string, unknown>;
  response: unknown;
  status: number;
}

/** Every provider call the sandbox received so far (all tests'): filter by what your test sent. */
export async function sandboxLedger(): Promise<LedgerEntry[]> {
  const response = await fetch(`${stack.sandboxUrl}/ledger`);
  if (!response.ok) throw new Error(`sandbox /ledger answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as LedgerEntry[];
}

let sequence = 0;

/** A word no other test uses, to find this test's contacts by search. */
export function uniqueWord(prefix: string): string {
  sequence += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${sequence}`.toLowerCase();
}

/** A valid (San Francisco) number that no other test in this run uses. */
export function uniquePhone(): string {
  sequence += 1;
  const digits = String((Date.now() * 7 + process.pid * 1009 + sequence * 7919) % 1_000_000).padStart(6, '0');
  return `+14157${digits}`;
}

/** A valid Indian mobile number (+91 98…) that no other test in this run uses. */
export function uniqueIndianPhone(): string {
  sequence += 1;
  const digits = String((Date.now() * 13 + process.pid * 2003 + sequence * 104_729) % 100_000_000).padStart(8, '0');
  return `+9198${digits}`;
}

/** Runs axe on the page as it is: no serious or critical violations allowed. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(blocking, `axe on ${name}`).toEqual([]);
}

/** Saves a full-page screenshot as artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** The page is no wider than the viewport (no sideways scrolling). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}
