import { expect, test } from '@playwright/test';
import { expectAccessible, screenshot, seedContact, signIn, uniquePhone, uniqueWord, user } from './support';

test.describe('as an Operator', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, user('Operator'));
  });

  test('creates a contact, fixing what the API refuses field by field', async ({ page }) => {
    const name = `Ada ${uniqueWord('create')}`;
    await page.getByRole('link', { name: 'New contact' }).click();
    await expect(page).toHaveURL(/\/contacts\/new$/);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Phone').fill('12345');
    await page.getByRole('button', { name: 'Create contact' }).click();

    const phone = page.getByLabel('Phone');
    await expect(phone).toHaveAttribute('aria-invalid', 'true');
    await expect(phone).toBeFocused();
    await expect(page.getByText('Phone is not a valid number for its country')).toBeVisible();
    await expectAccessible(page, 'new contact with a field error');
    await screenshot(page, 'contact-new-field-error');

    await phone.fill(uniquePhone());
    await page.getByRole('textbox', { name: 'Email' }).fill('not-an-email');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await expect(page.getByText('Email is not a valid email address')).toBeVisible();
    await expect(phone).not.toHaveAttribute('aria-invalid');

    await page.getByRole('textbox', { name: 'Email' }).fill(`${uniqueWord('ada')}@example.com`);
    await page.getByRole('checkbox', { name: 'SMS' }).check();
    await page.getByRole('button', { name: 'Create contact' }).click();

    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByText('Contact created.')).toBeVisible();
    await expect(page.getByRole('switch', { name: 'SMS opt-in' })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByText(/Opted in by you on .* set in the console/)).toBeVisible();
  });

  test('lists the newest first and finds contacts as you type', async ({ page }) => {
    const word = uniqueWord('zed');
    const phone = uniquePhone();
    const first = await seedContact({ name: `First ${word}`, email: `${word}.1@example.com` });
    const second = await seedContact({ name: `Second ${word}`, phone });
    const third = await seedContact({ name: `Third ${word}`, email: `${word}.3@example.com`, optInEmail: true });

    await page.reload();
    const list = page.getByRole('list', { name: 'Contacts, newest first' });
    const seeded = list.getByRole('link', { name: new RegExp(word) });
    await expect(list).toBeVisible();
    // Other tests add contacts at the same time: page on until ours are all listed.
    while ((await seeded.count()) < 3) await page.getByRole('button', { name: 'Load more' }).click();
    const names = await list.getByRole('link').allTextContents();
    const mine = names.filter((n) => n.includes(word)).map((n) => n.split(word)[0]?.trim());
    expect(mine).toEqual(['Third', 'Second', 'First']);

    const search = page.getByRole('searchbox', { name: 'Search contacts' });
    await search.pressSequentially(word.slice(0, 8), { delay: 40 });
    const results = page.getByRole('list', { name: `Contacts matching ${word.slice(0, 8)}` });
    await expect(results.getByRole('link')).toHaveCount(3);
    await expect(page).toHaveURL(new RegExp(`\\?q=${word.slice(0, 8)}$`));

    await search.fill(phone.slice(2));
    await expect(page.getByRole('list', { name: `Contacts matching ${phone.slice(2)}` }).getByRole('link')).toHaveText([
      new RegExp(`Second ${word}`),
    ]);

    await search.fill(`${word}.3@`);
    const byEmail = page.getByRole('list', { name: `Contacts matching ${word}.3@` }).getByRole('link');
    await expect(byEmail).toHaveCount(1);
    await expect(byEmail).toHaveAttribute('href', `/contacts/${third.contactId}`);
    await expectAccessible(page, 'contacts search');
    await screenshot(page, 'contacts-search');

    await search.fill(`${word}nomatch`);
    await expect(page.getByText(`No contacts match “${word}nomatch”.`)).toBeVisible();
    expect(first.contactId).not.toBe(second.contactId);
  });

  test('scrolling to the end loads the next page', async ({ page }) => {
    const word = uniqueWord('many');
    for (let i = 0; i < 30; i += 1) await seedContact({ name: `Many ${word} ${i}`, email: `${word}.${i}@example.com` });
    await page.reload();
    const rows = page.getByRole('list', { name: 'Contacts, newest first' }).getByRole('link');
    await expect(rows).toHaveCount(25);
    await rows.last().scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 5000);
    await expect.poll(() => rows.count()).toBeGreaterThan(25);
  });

  test('edits a contact and changes consent with a record of who, when and how', async ({ page }) => {
    const word = uniqueWord('edit');
    const contact = await seedContact({ name: `Grace ${word}`, phone: uniquePhone() });
    await page.goto(`/contacts/${contact.contactId}`);
    await expect(page.getByRole('heading', { level: 1, name: `Grace ${word}` })).toBeVisible();

    const whatsapp = page.getByRole('switch', { name: 'WhatsApp opt-in' });
    await expect(whatsapp).toHaveAttribute('aria-checked', 'false');
    await whatsapp.click();
    await expect(whatsapp).toHaveAttribute('aria-checked', 'true');
    const latest = page.locator('.consent').filter({ hasText: 'WhatsApp' }).locator('.consent__latest');
    await expect(latest).toHaveText(/^Opted in by you on .+ · set in the console$/);
    await whatsapp.click();
    await expect(whatsapp).toHaveAttribute('aria-checked', 'false');
    await expect(latest).toHaveText(/^Opted out by you on /);
    await page.getByText('Earlier changes (1)').click();
    await expectAccessible(page, 'contact detail');
    await screenshot(page, 'contact-detail');

    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByLabel('Name')).toHaveValue(`Grace ${word}`);
    await expectAccessible(page, 'edit contact');
    await screenshot(page, 'contact-edit');
    await page.getByLabel('Name').fill(`Grace Hopper ${word}`);
    await page.getByRole('textbox', { name: 'Email' }).fill(`${word}@example.com`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Changes saved.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: `Grace Hopper ${word}` })).toBeVisible();

    await page.reload();
    await expect(page.getByRole('switch', { name: 'WhatsApp opt-in' })).toHaveAttribute('aria-checked', 'false');
    await expect(page.getByText(`${word}@example.com`)).toBeVisible();
  });

  test('deletes a contact only after confirmation', async ({ page }) => {
    const word = uniqueWord('gone');
    const contact = await seedContact({ name: `Temp ${word}`, email: `${word}@example.com` });
    await page.goto(`/contacts/${contact.contactId}`);

    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this contact?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expectAccessible(page, 'delete confirmation');
    await screenshot(page, 'contact-delete-confirm');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: 'Delete' })).toBeFocused();

    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete contact' }).click();
    await expect(page).toHaveURL(/\/contacts$/);
    await expect(page.getByText(`Temp ${word} was deleted.`)).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill(word);
    await expect(page.getByText(`No contacts match “${word}”.`)).toBeVisible();
    await page.goto(`/contacts/${contact.contactId}`);
    await expect(page.getByRole('heading', { name: 'Contact not found' })).toBeVisible();
  });

  test('points to the contact that already has a phone number', async ({ page }) => {
    const phone = uniquePhone();
    const existing = await seedContact({ name: uniqueWord('owner'), phone });
    await page.goto('/contacts/new');
    await page.getByLabel('Phone').fill(phone);
    await page.getByRole('button', { name: 'Create contact' }).click();
    await expect(page.getByText('Phone already belongs to another contact.')).toBeVisible();
    await page.getByRole('link', { name: 'Open that contact' }).click();
    await expect(page).toHaveURL(new RegExp(`/contacts/${existing.contactId}$`));
  });
});

test('another tenant never sees these contacts', async ({ page }) => {
  const word = uniqueWord('private');
  await seedContact({ name: `Private ${word}`, email: `${word}@example.com` });
  await signIn(page, user('Operator', 'globex'));
  await page.getByRole('searchbox', { name: 'Search contacts' }).fill(word);
  await expect(page.getByText(`No contacts match “${word}”.`)).toBeVisible();
});
