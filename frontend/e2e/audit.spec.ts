// The audit log, in the browser: an Admin finds what happened to a contact and who did it, reads
// a change's values side by side, and pages back through a long list; other roles cannot open it.
import { expect, test } from '@playwright/test';
import { expectAccessible, idToken, screenshot, seedContact, signIn, stack, uniquePhone, uniqueWord, user } from './support';

test('an Admin finds a contact’s history, newest first, with the values each change moved', async ({ page }) => {
  const name = uniqueWord('Audited');
  const contact = await seedContact({ name, phone: uniquePhone() });
  const response = await fetch(`${stack.apiUrl}/api/contacts/${contact.contactId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${await idToken(user('Operator'))}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ optInSms: true }),
  });
  expect(response.status).toBe(200);

  await signIn(page, user('Admin'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit entries, newest first' })).toBeVisible();
  await expectAccessible(page, 'audit log');
  await screenshot(page, 'audit-log');

  await page.getByLabel('Item type').selectOption('contact');
  await page.getByLabel('Item id').fill(contact.contactId);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`resourceId=${contact.contactId}`));
  const table = page.getByRole('table', { name: new RegExp(`on contact ${contact.contactId}`) });
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByRole('row').nth(1)).toContainText('Changed a contact');
  await expect(table.getByRole('row').nth(1)).toContainText(user('Operator').email);
  await expect(table.getByRole('row').nth(2)).toContainText('Created a contact');

  await table.getByRole('button', { name: /Details of “Changed a contact”/ }).click();
  const detail = page.getByRole('dialog', { name: 'Changed a contact' });
  const sms = detail.getByRole('table', { name: 'Values before and after' }).getByRole('row', { name: /optInSms/ });
  await expect(sms).toContainText('No');
  await expect(sms).toContainText('Yes');
  await expectAccessible(page, 'audit entry of a contact change');
  await screenshot(page, 'audit-entry');
  await detail.getByRole('button', { name: 'Everything by this person' }).click();
  await expect(page).toHaveURL(/\?actor=/);
  await expect(page.getByRole('table', { name: /^Audit entries by / })).toContainText('Changed a contact');
});

test('a long list pages back with “Load more”', async ({ page }) => {
  test.slow();
  // Refused attempts are audited too: thirty of them by the Viewer make more than a page.
  const viewer = await idToken(user('Viewer'));
  for (let i = 0; i < 30; i += 1) {
    const response = await fetch(`${stack.apiUrl}/api/users`, { headers: { Authorization: `Bearer ${viewer}` } });
    expect(response.status).toBe(403);
  }
  await signIn(page, user('Admin'));
  await page.goto(`/audit?actor=${encodeURIComponent(user('Viewer').email)}&outcome=denied`);
  const rows = page.getByRole('table', { name: /^Audit entries by viewer@/ }).getByRole('row');
  await expect(rows).toHaveCount(26);
  await expect(rows.nth(1)).toContainText('Denied');
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(31);
  await expectAccessible(page, 'audit log, two pages');
});

for (const role of ['Operator', 'Viewer'] as const) {
  test(`a${role === 'Operator' ? 'n' : ''} ${role} cannot open the audit log`, async ({ page }) => {
    await signIn(page, user(role));
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' })).toHaveCount(0);
    await page.goto('/audit');
    await expect(page.getByText('Your role does not allow you to read the audit log.')).toBeVisible();
    await expectAccessible(page, `audit log refused to a ${role}`);
  });
}
