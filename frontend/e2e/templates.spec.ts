// The Templates pages against the local stack: the WhatsApp catalogue of the tenant's default
// number (seeded in the provider sandbox: hello_world, order_update, appointment_reminder and the
// rejected summer_sale), its filters, a new template written with the form and followed through
// WhatsApp's review (played by the sandbox's `/templates/decide`, whose status event the stack
// applies to the catalogue), deleting one, the template library (whose URL and call buttons take
// the business's own link or number), and what Operators and Viewers may do. Every template a test makes has a name no other run uses.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectAccessible, idToken, screenshot, signIn, stack, uniqueWord, user } from './support';

/** The WhatsApp Business Account of tenant `wecare`'s default number, as the sandbox knows it. */
const WABA_ID = '102290129340398';
/** How long Meta's decision may take to reach the catalogue (the sandbox publishes it at once). */
const REVIEW_TIMEOUT = 20_000;

const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const catalogue = (page: Page) => page.getByRole('table', { name: /^WhatsApp templates/ });
/** The catalogue's row of a template, by its exact name. */
const row = (page: Page, name: string): Locator =>
  catalogue(page)
    .getByRole('row')
    .filter({ has: page.getByText(name, { exact: true }) });

/** A template name no other test or run uses (`^[a-z0-9_]+$`). */
const uniqueTemplateName = (prefix: string) => uniqueWord(`${prefix}_`).replace(/[^a-z0-9_]/g, '');

/** Plays WhatsApp's review of a template in the sandbox. */
async function decide(name: string, status: 'APPROVED' | 'REJECTED', language = 'en_US'): Promise<void> {
  const response = await fetch(`${stack.sandboxUrl}/templates/decide`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ wabaId: WABA_ID, name, language, status, ...(status === 'REJECTED' ? { reason: 'INVALID_FORMAT' } : {}) }),
  });
  if (!response.ok) throw new Error(`sandbox /templates/decide answered ${response.status}: ${await response.text()}`);
}

/** Deletes a template through the API as an Admin (clean-up; 404 = already gone). */
async function deleteTemplate(name: string, language = 'en_US'): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/api/whatsapp/templates/${encodeURIComponent(name)}?language=${language}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${await idToken(user('Admin'))}` },
  });
  if (response.status !== 204 && response.status !== 404) throw new Error(`deleting ${name} answered ${response.status}: ${await response.text()}`);
}

test('an Admin opens Templates from the sidebar, sees the catalogue with its statuses and filters it by status', async ({ page }) => {
  await signIn(page, user('Admin'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await expect(page).toHaveURL(/\/templates$/);
  await expect(heading(page)).toHaveText('Templates');
  await expect(page.getByRole('link', { name: 'New template' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Template library' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sync' })).toBeVisible();
  await expect(page.getByText(/^Synced with WhatsApp/)).toBeVisible();

  for (const name of ['hello_world', 'order_update', 'appointment_reminder', 'summer_sale']) await expect(row(page, name)).toHaveCount(1);
  await expect(row(page, 'order_update').getByText('Approved', { exact: true })).toBeVisible();
  await expect(row(page, 'order_update')).toContainText('en_US');
  await expect(row(page, 'summer_sale').getByText('Rejected', { exact: true })).toBeVisible();
  await expect(row(page, 'summer_sale')).toContainText('WhatsApp rejected it');
  await expect(row(page, 'summer_sale').getByRole('button', { name: 'Delete summer_sale (en_US)' })).toBeVisible();
  await expectAccessible(page, 'templates catalogue');
  await screenshot(page, 'templates-catalogue');

  await page.getByRole('combobox', { name: 'Status' }).selectOption('REJECTED');
  await expect(page).toHaveURL(/\?status=REJECTED$/);
  await expect(row(page, 'summer_sale')).toHaveCount(1);
  await expect(row(page, 'order_update')).toHaveCount(0);
  await expect(row(page, 'hello_world')).toHaveCount(0);
  await expect(catalogue(page).getByText('Approved', { exact: true })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /^\d+ of \d+ templates match\.$/ })).toBeVisible();

  await page.getByRole('combobox', { name: 'Status' }).selectOption('APPROVED');
  await expect(page).toHaveURL(/\?status=APPROVED$/);
  await expect(row(page, 'order_update')).toHaveCount(1);
  await expect(row(page, 'summer_sale')).toHaveCount(0);
  await expect(catalogue(page).getByText('Rejected', { exact: true })).toHaveCount(0);
  await expectAccessible(page, 'templates catalogue filtered by status');

  // A filter that matches nothing offers the way back.
  await page.getByRole('searchbox', { name: 'Search by name' }).fill('summer');
  await expect(page.getByText('No template matches these filters.')).toBeVisible();
  await page.getByRole('link', { name: 'Show all templates' }).click();
  await expect(page).toHaveURL(/\/templates$/);
  await expect(row(page, 'summer_sale')).toHaveCount(1);
  await expect(page.getByRole('combobox', { name: 'Status' })).toHaveValue('');
});

test('an Admin writes a template, sees it in review, WhatsApp approves it, and the Admin deletes it after confirming', async ({ page }) => {
  test.setTimeout(90_000);
  const name = uniqueTemplateName('e2e_new');
  const word = uniqueWord('parcel');
  try {
    await signIn(page, user('Admin'));
    await page.goto('/templates');
    await page.getByRole('link', { name: 'New template' }).click();
    await expect(page).toHaveURL(/\/templates\/new$/);
    await expect(heading(page)).toHaveText('New template');
    const preview = page.getByRole('figure', { name: 'Preview' });
    await expect(preview).toContainText('The message’s text appears here.');

    // Submitting an empty form lists what to fix first.
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await expect(page.getByText('Before you submit:')).toBeVisible();
    await expect(page.getByText('Enter a name, e.g. order_update.').first()).toBeVisible();

    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('radio', { name: 'Marketing' }).check();
    await expect(page.getByText('Offers, announcements, invitations: anything promotional.', { exact: false })).toBeVisible();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('en_US');
    await page.getByRole('textbox', { name: 'Body' }).fill(`Hello {{1}}, your parcel ${word} is on its way.`);
    // The variable shows as not filled in until it has a sample.
    await expect(preview).toContainText('{{1}} (not filled in)');
    await page.getByRole('textbox', { name: 'Sample for {{1}}' }).fill('Asha');
    await expect(preview).toContainText(`Hello Asha, your parcel ${word} is on its way.`);
    await expect(page.getByText('Before you submit:')).toHaveCount(0);
    await expectAccessible(page, 'new template form');
    await screenshot(page, 'templates-new');

    await page.getByRole('button', { name: 'Submit for review' }).click();
    await expect(page).toHaveURL(/\/templates$/);
    await expect(page.getByText(`“${name}” (en_US) was submitted to WhatsApp for review. It can be sent once approved.`)).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search by name' }).fill(name);
    const mine = row(page, name);
    await expect(mine).toHaveCount(1);
    await expect(mine.getByText('In review', { exact: true })).toBeVisible();
    await expect(mine).toContainText('Marketing');
    await expect(mine).toContainText(`Hello {{1}}, your parcel ${word} is on its way.`);
    await screenshot(page, 'templates-new-in-review');

    // WhatsApp approves it; its status event reaches the catalogue, which a reload shows.
    await decide(name, 'APPROVED');
    await expect(async () => {
      await page.reload();
      await expect(row(page, name).getByText('Approved', { exact: true })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: REVIEW_TIMEOUT, intervals: [500, 1_000, 2_000] });
    await expect(page.getByRole('searchbox', { name: 'Search by name' })).toHaveValue(name);

    // Delete asks first; Cancel (the safe choice, focused) keeps it.
    await row(page, name).getByRole('button', { name: `Delete ${name} (en_US)` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete “${name}” (en_US)?` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('a new template cannot take its name for 30 days');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expectAccessible(page, 'delete template confirmation');
    await screenshot(page, 'templates-delete-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, name)).toHaveCount(1);

    await row(page, name).getByRole('button', { name: `Delete ${name} (en_US)` }).click();
    await dialog.getByRole('button', { name: 'Delete template' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(`“${name}” (en_US) was deleted.`)).toBeVisible();
    await expect(row(page, name)).toHaveCount(0);
    await page.reload();
    await expect(page.getByText('No template matches these filters.')).toBeVisible();
  } finally {
    await deleteTemplate(name);
  }
});

test('an Admin copies a template from the library under a name of their own, and it goes into review', async ({ page }) => {
  test.setTimeout(60_000);
  const name = uniqueTemplateName('e2e_lib');
  try {
    await signIn(page, user('Admin'));
    await page.goto('/templates');
    await page.getByRole('link', { name: 'Template library' }).click();
    await expect(page).toHaveURL(/\/templates\/library$/);
    await expect(heading(page)).toHaveText('Template library');
    const library = page.getByRole('list', { name: 'Library templates' });
    await expect(library.getByRole('listitem').first()).toBeVisible();

    await page.getByRole('searchbox', { name: 'Search the library' }).fill('payment');
    await expect(page.getByRole('status').filter({ hasText: '2 templates match “payment”.' })).toBeVisible();
    await expect(library.getByRole('heading', { level: 2 })).toHaveText(['payment_reminder', 'payment_confirmation']);
    const card = library.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'payment_confirmation' }) });
    await expect(card.getByRole('figure', { name: 'Preview of payment_confirmation' })).toContainText('we received your payment of ₹1,499');
    await expectAccessible(page, 'template library, searched');
    await screenshot(page, 'templates-library');

    await page.getByRole('searchbox', { name: 'Search the library' }).fill('no such template anywhere');
    await expect(page.getByText('Nothing in the library matches “no such template anywhere”: try other words.')).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('payment');

    await card.getByRole('button', { name: 'Use this: payment_confirmation (en_US)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Use “payment_confirmation”' });
    await expect(dialog).toBeVisible();
    const nameField = dialog.getByRole('textbox', { name: 'Name' });
    await expect(nameField).toHaveValue('payment_confirmation');
    await expect(dialog.getByRole('combobox', { name: 'Language' })).toHaveValue('en_US');
    await nameField.fill('Not A Name');
    await expect(dialog.getByText('Use only lowercase letters, digits and underscores, e.g. order_update.')).toBeVisible();
    await nameField.fill(name);
    await expectAccessible(page, 'use a library template');
    await screenshot(page, 'templates-library-use');
    await dialog.getByRole('button', { name: 'Create template' }).click();

    await expect(page).toHaveURL(/\/templates$/);
    await expect(page.getByText(`“${name}” (en_US) was created from the library and submitted to WhatsApp for review.`)).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search by name' }).fill(name);
    await expect(row(page, name).getByText('In review', { exact: true })).toBeVisible();
    await expect(row(page, name)).toContainText('Utility');
    await expect(row(page, name)).toContainText('we received your payment of {{2}}');
  } finally {
    await deleteTemplate(name);
  }
});

test('an Admin copies a library template with a URL button, giving the link it opens, and it goes into review', async ({ page }) => {
  test.setTimeout(60_000);
  const name = uniqueTemplateName('e2e_lib_url');
  try {
    await signIn(page, user('Admin'));
    await page.goto('/templates/library');
    await expect(heading(page)).toHaveText('Template library');
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('shipment');
    await expect(page.getByRole('status').filter({ hasText: '1 template match “shipment”.' })).toBeVisible();
    const library = page.getByRole('list', { name: 'Library templates' });
    await library.getByRole('button', { name: 'Use this: shipment_confirmation (en_US)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Use “shipment_confirmation”' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
    const link = dialog.getByRole('textbox', { name: 'Link for “Track shipment”' });
    await expect(link).toHaveValue('');
    await expect(dialog.getByText('The web address the button opens. End it with {{1}} to add a part per message.')).toBeVisible();

    // Without the link nothing is created: the field says what it needs.
    await dialog.getByRole('button', { name: 'Create template' }).click();
    await expect(dialog.getByText('Enter the web address the button opens.')).toBeVisible();
    await expect(link).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/templates\/library$/);

    // A link ending with {{1}} takes a part per message, and a sample link for the reviewers.
    await link.fill('https://wecare.example/track/{{1}}');
    const sample = dialog.getByRole('textbox', { name: 'Sample link for “Track shipment”' });
    await expect(sample).toBeVisible();
    await sample.fill('https://wecare.example/track/1234');
    await expect(dialog.getByText('Enter the web address the button opens.')).toHaveCount(0);
    await expectAccessible(page, 'use a library template with a URL button');
    await screenshot(page, 'templates-library-use-url-button');
    await dialog.getByRole('button', { name: 'Create template' }).click();

    await expect(page).toHaveURL(/\/templates$/);
    await expect(page.getByText(`“${name}” (en_US) was created from the library and submitted to WhatsApp for review.`)).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search by name' }).fill(name);
    await expect(row(page, name).getByText('In review', { exact: true })).toBeVisible();
    await expect(row(page, name)).toContainText('has shipped with {{3}}');
  } finally {
    await deleteTemplate(name);
  }
});

test('an Admin copies a library template with a call button, giving the number it calls', async ({ page }) => {
  test.setTimeout(60_000);
  const name = uniqueTemplateName('e2e_lib_call');
  try {
    await signIn(page, user('Admin'));
    await page.goto('/templates/library');
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('appointment');
    const library = page.getByRole('list', { name: 'Library templates' });
    await library.getByRole('button', { name: 'Use this: appointment_reminder_library (en_US)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Use “appointment_reminder_library”' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
    // The quick reply needs nothing; the call button needs the business's number, in E.164.
    await expect(dialog.getByRole('textbox', { name: /Confirm/ })).toHaveCount(0);
    const phone = dialog.getByRole('textbox', { name: 'Phone number for “Call us”' });
    await phone.fill('0415 555 0100');
    await dialog.getByRole('button', { name: 'Create template' }).click();
    await expect(dialog.getByText(/^Enter the number in international form/)).toBeVisible();
    await phone.fill('+14155550100');
    await expect(dialog.getByText(/^Enter the number in international form/)).toHaveCount(0);
    await expectAccessible(page, 'use a library template with a call button');
    await dialog.getByRole('button', { name: 'Create template' }).click();

    await expect(page).toHaveURL(/\/templates$/);
    await page.getByRole('searchbox', { name: 'Search by name' }).fill(name);
    await expect(row(page, name).getByText('In review', { exact: true })).toBeVisible();
  } finally {
    await deleteTemplate(name);
  }
});

test('an Operator may sync the catalogue but not create or delete templates', async ({ page }) => {
  await signIn(page, user('Operator'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await expect(heading(page)).toHaveText('Templates');
  await expect(row(page, 'order_update')).toHaveCount(1);
  await expect(page.getByRole('link', { name: 'New template' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Template library' })).toHaveCount(0);
  await expect(catalogue(page).getByRole('button', { name: /^Delete / })).toHaveCount(0);
  await expect(catalogue(page).getByRole('columnheader', { name: 'Actions' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Sync' }).click();
  await expect(page.getByText(/^Synced: \d+ templates in the business account\.$/)).toBeVisible();
  await expect(page.getByText(/^Synced with WhatsApp/)).toBeVisible();
  await expect(row(page, 'summer_sale').getByText('Rejected', { exact: true })).toBeVisible();
  await expectAccessible(page, 'templates catalogue as an Operator');
  await screenshot(page, 'templates-operator');

  await page.goto('/templates/new');
  await expect(page.getByText('Your role does not allow you to create templates.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Submit for review' })).toHaveCount(0);
  await page.goto('/templates/library');
  await expect(page.getByText('Your role does not allow you to use the template library.')).toBeVisible();
});

test('a Viewer reads the catalogue but may neither sync, create nor delete', async ({ page }) => {
  await signIn(page, user('Viewer'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await expect(heading(page)).toHaveText('Templates');
  await expect(row(page, 'order_update').getByText('Approved', { exact: true })).toBeVisible();
  await expect(row(page, 'summer_sale').getByText('Rejected', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sync' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'New template' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Template library' })).toHaveCount(0);
  await expect(catalogue(page).getByRole('button')).toHaveCount(0);
  await expectAccessible(page, 'templates catalogue as a Viewer');
  await screenshot(page, 'templates-viewer');

  await page.goto('/templates/new');
  await expect(page.getByText('Your role does not allow you to create templates.')).toBeVisible();
});
