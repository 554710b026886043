// Settings, in the browser: an Admin sees what the deployment decides (send mode, the seeded
// senders with their rates, the WhatsApp tier), saves quiet hours and an alert recipient and finds
// them after a reload and in the audit log; a save over someone else's is refused and Reload shows
// theirs; Operators and Viewers are not offered the page.
//
// The settings are tenant `wecare`'s, which other files' tests use at the same time: these tests run
// one after another, set quiet hours hours away from now (the bulk worker holds campaigns inside
// them, and other files run campaigns), and put the settings back as they found them.
import { expect, test, type Page } from '@playwright/test';
import { callApi, expectAccessible, screenshot, signIn, uniqueWord, user } from './support';

test.describe.configure({ mode: 'serial' });

interface SettingsConfig {
  aiAutomation: boolean;
  alertRecipients: string[];
  quietHours: { start: string; end: string; timeZone: string } | null;
}

interface SettingsBody {
  config: SettingsConfig;
  version: number;
  updatedBy: string | null;
}

const admin = () => user('Admin');
const readSettings = () => callApi<SettingsBody>('GET', '/settings', undefined, { who: admin() });
const writeSettings = (version: number, config: SettingsConfig) => callApi<SettingsBody>('PUT', '/settings', { version, config }, { who: admin() });

let original: SettingsConfig;

test.beforeAll(async () => {
  original = (await readSettings()).config;
});

test.afterAll(async () => {
  const now = await readSettings();
  await writeSettings(now.version, original);
});

/** "HH:MM" in UTC, `hours` from now: quiet hours that cannot be in force while the suite runs. */
function utcTimeIn(hours: number): string {
  const at = new Date(Date.now() + hours * 3600_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

async function openSettings(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Your organisation’s settings' });
  await expect(form).toBeVisible();
  return form;
}

test('an Admin sees the deployment and its senders, saves quiet hours and an alert recipient, and finds them after a reload and in the audit log', async ({ page }) => {
  const recipient = `${uniqueWord('alerts')}@example.com`;
  const start = utcTimeIn(6);
  const end = utcTimeIn(7);
  await signIn(page, admin());
  const form = await openSettings(page);

  const deployment = page.getByRole('region', { name: 'Deployment' });
  await expect(deployment).toContainText('Local');
  await expect(deployment).toContainText('Live (LIVE)');
  // The local stack sends (to the sandbox): no dry-run banner.
  await expect(page.getByText(/^Dry run — /)).toHaveCount(0);

  const whatsapp = page.getByRole('table', { name: 'WhatsApp senders' }).getByRole('row');
  await expect(whatsapp).toHaveCount(3);
  await expect(whatsapp.nth(1)).toContainText('+91 93309 94400');
  await expect(whatsapp.nth(1)).toContainText('Default');
  await expect(whatsapp.nth(1)).toContainText('80 per second');
  await expect(whatsapp.nth(2)).toContainText('+91 99033 00044');
  await expect(page.getByRole('table', { name: 'SMS senders' })).toContainText('WECARE SMS pool');
  await expect(page.getByRole('table', { name: 'SMS senders' })).toContainText('5 per second');
  await expect(page.getByRole('table', { name: 'Email senders' })).toContainText('one@wecare.digital');
  await expect(page.getByRole('table', { name: 'Email senders' })).toContainText('10 per second');
  const tier = page.getByRole('meter', { name: /^WhatsApp tier use of \+91 93309 94400/ });
  await expect(tier).toHaveAttribute('aria-valuetext', /business-initiated conversations in the last 24 hours/);
  await expect(form.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await expectAccessible(page, 'settings');
  await screenshot(page, 'settings');

  await form.getByLabel('Add a recipient').fill(recipient);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(form.getByRole('list', { name: 'Alert recipients' })).toContainText(recipient);
  await form.getByRole('radio', { name: 'Hold during quiet hours' }).check();
  await form.getByLabel('Start', { exact: true }).fill(start);
  await form.getByLabel('End', { exact: true }).fill(end);
  await form.getByLabel('Time zone').selectOption('UTC');
  await expect(form.getByText('Campaigns hold during these hours and resume when they end.')).toBeVisible();
  await expect(form.getByText('Unsaved changes', { exact: true })).toBeVisible();
  await expectAccessible(page, 'settings with unsaved changes');
  await screenshot(page, 'settings-edited');

  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(form.getByText(`Settings saved by ${admin().email} at`, { exact: false })).toBeVisible();
  await expect(form.getByRole('button', { name: 'Save settings' })).toBeDisabled();

  await page.reload();
  const again = page.getByRole('form', { name: 'Your organisation’s settings' });
  await expect(again.getByRole('list', { name: 'Alert recipients' })).toContainText(recipient);
  await expect(again.getByRole('radio', { name: 'Hold during quiet hours' })).toBeChecked();
  await expect(again.getByLabel('Start', { exact: true })).toHaveValue(start);
  await expect(again.getByLabel('End', { exact: true })).toHaveValue(end);
  await expect(again.getByLabel('Time zone')).toHaveValue('UTC');
  await expect(again).toContainText(`Last saved by ${admin().email} on`);

  // The audit log: the save, by the Admin, with the recipient among the values it set.
  await page.goto('/audit?action=settings.update');
  const rows = page.getByRole('table', { name: /^Audit entries/ }).getByRole('row');
  await expect(rows.nth(1)).toContainText(admin().email);
  await expect(rows.nth(1)).toContainText(/settings\.update|Changed (the )?settings/);
  await rows.nth(1).getByRole('button', { name: /^Details of/ }).click();
  const detail = page.getByRole('dialog');
  await expect(detail.getByRole('table', { name: 'Values before and after' })).toContainText(recipient);
  await expectAccessible(page, 'audit entry of a settings save');
  await screenshot(page, 'audit-settings');
});

test('a save over someone else’s is refused, and Reload shows what they saved', async ({ page }) => {
  const mine = `${uniqueWord('mine')}@example.com`;
  const theirs = `${uniqueWord('theirs')}@example.com`;
  await signIn(page, admin());
  const form = await openSettings(page);
  await expect(form.getByRole('button', { name: 'Save settings' })).toBeDisabled();

  // Another Admin saves while this page is open.
  const read = await readSettings();
  await writeSettings(read.version, { ...read.config, alertRecipients: [...read.config.alertRecipients, theirs] });

  await form.getByLabel('Add a recipient').fill(mine);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await form.getByRole('button', { name: 'Save settings' }).click();
  const conflict = form.getByRole('alert');
  await expect(conflict).toContainText('Someone else saved settings since you opened this page.');
  await expectAccessible(page, 'settings conflict');
  await screenshot(page, 'settings-conflict');

  await conflict.getByRole('button', { name: 'Reload' }).click();
  const recipients = form.getByRole('list', { name: 'Alert recipients' });
  await expect(recipients).toContainText(theirs);
  await expect(recipients).not.toContainText(mine);
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(form.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  // Nothing of the refused save was written.
  expect((await readSettings()).config.alertRecipients).not.toContain(mine);
});

for (const role of ['Operator', 'Viewer'] as const) {
  test(`a${role === 'Operator' ? 'n' : ''} ${role} has no Settings entry and cannot open the page`, async ({ page }) => {
    await signIn(page, user(role));
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toHaveCount(0);
    await page.goto('/settings');
    await expect(page.getByText('Your role does not allow you to manage settings.')).toBeVisible();
    await expectAccessible(page, `settings refused to a ${role}`);
  });
}

/** Answers `/api/me` as the stack does, but for a deployment that only records (the local stack sends). */
async function asDryRun(page: Page): Promise<void> {
  await page.route('**/api/me', async (route) => {
    const response = await route.fetch();
    const me = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...me, deployment: { environment: 'staging', sendMode: 'DRY_RUN' } } });
  });
}

const DRY_RUN = 'Dry run — messages are recorded but nothing is sent to customers (environment staging).';

test('in a dry run every page says that nothing is sent, whatever the role', async ({ page }) => {
  await asDryRun(page);
  await signIn(page, user('Viewer'));
  const banner = page.getByRole('main').getByRole('status').filter({ hasText: 'DRY RUN' });
  await expect(banner).toContainText(DRY_RUN);
  await expectAccessible(page, 'dry-run banner');
  await screenshot(page, 'dry-run-banner');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Templates' })).toBeVisible();
  await expect(banner).toContainText(DRY_RUN);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, admin());
  await openSettings(page);
  await expect(banner).toContainText(DRY_RUN);
});
