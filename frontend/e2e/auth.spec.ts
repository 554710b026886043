import { expect, test } from '@playwright/test';
import { expectAccessible, screenshot, signIn, stack, user } from './support';

test('a wrong password gets a clear message', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page).toHaveTitle(/WECARE\.DIGITAL/);
  await expectAccessible(page, 'sign-in');
  await screenshot(page, 'sign-in');

  await page.getByLabel('Email').fill(user('Operator').email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
  await expectAccessible(page, 'sign-in with an error');
  await screenshot(page, 'sign-in-wrong-password');
});

for (const who of stack.users) {
  test(`${who.role} of ${who.tenantId} signs in and sees only what works`, async ({ page }) => {
    await signIn(page, who);
    const sidebar = page.getByRole('complementary');
    await expect(sidebar.getByText(who.email)).toBeVisible();
    await expect(sidebar.getByText(who.role, { exact: true })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const everyone of ['Inbox', 'Contacts', 'Bulk Messaging', 'Templates']) {
      await expect(nav.getByRole('link', { name: everyone, exact: true })).toBeVisible();
    }
    // The team and the audit trail are an Admin's alone.
    for (const adminOnly of ['Users', 'Audit log']) {
      await expect(nav.getByRole('link', { name: adminOnly, exact: true })).toHaveCount(who.role === 'Admin' ? 1 : 0);
    }
    const newContact = page.getByRole('link', { name: 'New contact' });
    if (who.role === 'Viewer') await expect(newContact).toHaveCount(0);
    else await expect(newContact).toBeVisible();
  });
}

test('the session survives a reload and ends with sign-out', async ({ page }) => {
  await signIn(page, user('Admin'));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('wecare.session')))).toEqual([]);
});

test('an expired ID token is renewed with the refresh token', async ({ page }) => {
  await signIn(page, user('Operator'));
  const key = await page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('wecare.session')) ?? '');
  const before = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '{}') as { idToken: string }, key);
  // Pretend an hour has passed.
  await page.evaluate((k) => {
    const session = JSON.parse(localStorage.getItem(k) ?? '{}') as { expiresAt: number };
    localStorage.setItem(k, JSON.stringify({ ...session, expiresAt: Date.now() - 1000 }));
  }, key);

  const refresh = page.waitForRequest((r) => r.method() === 'POST' && (r.postData() ?? '').includes('REFRESH_TOKEN_AUTH'));
  // The list the first page load asked for may still be in flight with the old token: wait for
  // a request made with any other one (a renewal that never happened times out here).
  const contacts = page.waitForResponse(
    (r) => r.url().includes('/api/contacts') && r.request().headers().authorization !== `Bearer ${before.idToken}`,
  );
  await page.reload();
  await refresh;
  const response = await contacts;
  expect(response.status()).toBe(200);
  const after = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '{}') as { idToken: string; expiresAt: number }, key);
  expect(after.idToken).not.toBe(before.idToken);
  expect(after.expiresAt).toBeGreaterThan(Date.now());
  expect(response.request().headers().authorization).toBe(`Bearer ${after.idToken}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
});

test('a refused refresh token ends the session', async ({ page }) => {
  await signIn(page, user('Operator'));
  await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('wecare.session')) ?? '';
    const session = JSON.parse(localStorage.getItem(key) ?? '{}') as object;
    localStorage.setItem(key, JSON.stringify({ ...session, refreshToken: 'revoked', expiresAt: Date.now() - 1000 }));
  });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Your session has ended. Sign in again to continue.')).toBeVisible();
});
