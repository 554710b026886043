// The team, in the browser: an Admin invites someone, who chooses a password at their first
// sign-in; a role change and a disabling apply at the member's next request, whatever token their
// browser holds; the audit log shows all of it. Each test invites people of its own, so the seed
// users other tests sign in as are never changed.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectAccessible, screenshot, signIn, uniqueWord, user } from './support';

const CHOSEN = 'Chosen!Passw0rd';

/** Invites `email` as `role` from the Users page; the temporary password it shows once. */
async function invite(page: Page, email: string, role: 'Viewer' | 'Operator' | 'Admin', check = false): Promise<string> {
  await page.goto('/users');
  await page.getByRole('button', { name: 'Invite user' }).click();
  const form = page.getByRole('dialog', { name: 'Invite a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption(role);
  if (check) {
    await expectAccessible(page, 'invite a user');
    await screenshot(page, 'users-invite');
  }
  await form.getByRole('button', { name: 'Send invite' }).click();
  const shown = page.getByRole('dialog', { name: `${email} is invited` });
  const temporary = (await shown.getByTestId('temporary-password').textContent())?.trim() ?? '';
  expect(temporary).toMatch(/^\S{16}$/);
  if (check) {
    await expectAccessible(page, 'invited: the temporary password');
    await screenshot(page, 'users-invited');
  }
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toBeHidden();
  return temporary;
}

/** The invitee's first sign-in, in a browser of their own: the temporary password, then their own. */
async function firstSignIn(browser: Browser, email: string, temporary: string, check = false): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(temporary);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Choose your password' })).toBeVisible();
  const rules = page.getByRole('list', { name: 'Your password needs' });
  await expect(rules).toContainText('At least 8 characters');
  await expect(rules).toContainText('A symbol');
  await page.getByLabel('New password', { exact: true }).fill('weak');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page.getByText('This password does not meet every rule below yet.')).toBeVisible();
  if (check) {
    await expectAccessible(page, 'choose your password');
    await screenshot(page, 'first-sign-in');
  }
  await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
  await page.getByLabel('Repeat the new password').fill(CHOSEN);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
  return page;
}

const rowOf = (page: Page, email: string) => page.getByRole('table', { name: 'Users by email' }).getByRole('row').filter({ hasText: email });

test('an invited user chooses a password at first sign-in, a role change applies at their next request, and the audit log shows it all', async ({ page, browser }) => {
  // Two people in two browsers through a dozen pages: longer than one page's test.
  test.slow();
  const email = `${uniqueWord('invitee')}@example.com`;
  await signIn(page, user('Admin'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Users by email' })).toContainText(user('Admin').email);
  await expectAccessible(page, 'users');

  const temporary = await invite(page, email, 'Operator', true);
  await expect(rowOf(page, email).getByText('Invited', { exact: true })).toBeVisible();
  await expect(rowOf(page, email)).toContainText('Operator');
  await screenshot(page, 'users');

  const invitee = await firstSignIn(browser, email, temporary, true);
  await expect(invitee.getByRole('link', { name: 'New contact' })).toBeVisible();
  await expect(invitee.getByRole('complementary').getByText('Operator', { exact: true })).toBeVisible();

  // The Admin makes them a Viewer while they are signed in.
  await page.reload();
  // Signed in since: no longer waiting for a first sign-in.
  await expect(rowOf(page, email).getByText('Invited', { exact: true })).toHaveCount(0);
  await expect(rowOf(page, email)).toContainText('just now');
  await rowOf(page, email).getByRole('button', { name: `Change role of ${email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Change the role of ${email}` });
  await dialog.getByLabel('Role').selectOption('Viewer');
  await expectAccessible(page, 'change a role');
  await dialog.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByText(`${email} is now a Viewer. It applies at their next request.`)).toBeVisible();
  await expect(rowOf(page, email)).toContainText('Viewer');

  // The same browser, the same (hour-long) ID token: the next request is a Viewer's.
  const refused = await invitee.evaluate(async () => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('wecare.session')) ?? '';
    const { idToken } = JSON.parse(localStorage.getItem(key) ?? '{}') as { idToken: string };
    const response = await fetch('/api/contacts', {
      method: 'POST',
      headers: { Authorization: `Bearer ${idToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Not allowed', phone: '+14155550100' }),
    });
    return response.status;
  });
  expect(refused).toBe(403);
  await invitee.reload();
  await expect(invitee.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
  await expect(invitee.getByRole('complementary').getByText('Viewer', { exact: true })).toBeVisible();
  await expect(invitee.getByRole('link', { name: 'New contact' })).toHaveCount(0);

  // The audit log: the invite, the first sign-in and the role change, newest first.
  await rowOf(page, email).getByRole('link', { name: `History of ${email}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const rows = page.getByRole('table', { name: /^Audit entries on user / }).getByRole('row');
  await expect(rows.locator('td:nth-child(3)')).toHaveText(['Changed a role', 'Signed in', 'Invited a user']);
  await expect(rows.nth(1)).toContainText(user('Admin').email);
  await expect(rows.nth(2)).toContainText(email);
  await expectAccessible(page, 'audit log of a user');
  await rows.nth(1).getByRole('button', { name: /Details of “Changed a role”/ }).click();
  const detail = page.getByRole('dialog', { name: 'Changed a role' });
  const roleRow = detail.getByRole('table', { name: 'Values before and after' }).getByRole('row', { name: /role/ });
  await expect(roleRow).toContainText('Operator');
  await expect(roleRow).toContainText('Viewer');
  await expect(detail).toContainText(`${user('Admin').email} as Admin`);
  await expectAccessible(page, 'an audit entry');
  await screenshot(page, 'audit-role-change');
  await invitee.context().close();
});

test('a disabled user is signed out at their next request, cannot sign in, and can again once enabled', async ({ page, browser }) => {
  test.slow();
  const email = `${uniqueWord('disabled')}@example.com`;
  await signIn(page, user('Admin'));
  const temporary = await invite(page, email, 'Operator');
  const invitee = await firstSignIn(browser, email, temporary);

  await page.reload();
  await rowOf(page, email).getByRole('button', { name: `Disable ${email}` }).click();
  const confirm = page.getByRole('dialog', { name: `Disable ${email}?` });
  await expect(confirm).toContainText('signed out everywhere');
  await expectAccessible(page, 'disable a user');
  await confirm.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByText(`${email} is disabled`)).toBeVisible();
  await expect(rowOf(page, email)).toContainText('Disabled');

  await invitee.reload();
  await expect(invitee.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(invitee.getByText('Your session has ended. Sign in again to continue.')).toBeVisible();
  await invitee.getByLabel('Email').fill(email);
  await invitee.getByLabel('Password').fill(CHOSEN);
  await invitee.getByRole('button', { name: 'Sign in' }).click();
  await expect(invitee.getByRole('alert')).toHaveText('This account is disabled. Ask an Admin of your organisation to enable it.');

  await rowOf(page, email).getByRole('button', { name: `Enable ${email}` }).click();
  await expect(page.getByText(`${email} is enabled again and can sign in.`)).toBeVisible();
  await invitee.getByRole('button', { name: 'Sign in' }).click();
  await expect(invitee.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();
  await invitee.context().close();
});

test('the Users page is an Admin’s alone', async ({ page }) => {
  await signIn(page, user('Operator'));
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/users');
  await expect(page.getByText('Your role does not allow you to manage users.')).toBeVisible();
  await expectAccessible(page, 'users refused');
});
