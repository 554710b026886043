import { expect, test } from '@playwright/test';
import { expectAccessible, screenshot, seedContact, signIn, uniquePhone, uniqueWord, user } from './support';

test('a Viewer reads contacts and consent but gets no create, edit or delete controls', async ({ page }) => {
  const word = uniqueWord('viewer');
  const contact = await seedContact({ name: `Seen ${word}`, phone: uniquePhone(), optInSms: true });
  await signIn(page, user('Viewer'));
  await expect(page.getByRole('link', { name: 'New contact' })).toHaveCount(0);

  await page.getByRole('searchbox', { name: 'Search contacts' }).fill(word);
  await page.getByRole('link', { name: new RegExp(`Seen ${word}`) }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Seen ${word}` })).toBeVisible();
  await expect(page.getByText(/Opted in by user .+ set in the console/)).toBeVisible();
  await expect(page.getByRole('switch')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Save|Create|Send)/ })).toHaveCount(0);
  await expectAccessible(page, 'contact detail as a Viewer');
  await screenshot(page, 'contact-detail-viewer');

  await page.goto(`/contacts/${contact.contactId}/edit`);
  await expect(page.getByText('Your role does not allow you to edit contacts.')).toBeVisible();
  await page.goto('/contacts/new');
  await expect(page.getByText('Your role does not allow you to create contacts.')).toBeVisible();
  await expect(page.getByRole('textbox')).toHaveCount(0);
});
