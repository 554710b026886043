import { expect, test } from '@playwright/test';
import {
  expectAccessible,
  expectNoHorizontalScroll,
  screenshot,
  seedContact,
  signIn,
  uniquePhone,
  uniqueWord,
  user,
} from './support';

test.describe('at 320 px wide', () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test('the sidebar collapses behind a menu and everything stays usable', async ({ page }) => {
    await page.goto('/sign-in');
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'sign-in-320');
    await signIn(page, user('Operator'));

    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(nav).toBeHidden();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'contacts at 320 px');
    await screenshot(page, 'contacts-320');

    await menu.click();
    await expect(nav).toBeVisible();
    await expect(page.getByRole('button', { name: 'Close menu' })).toHaveAttribute('aria-expanded', 'true');
    await expectAccessible(page, 'menu open at 320 px');
    await screenshot(page, 'menu-open-320');
    await nav.getByRole('link', { name: 'Contacts' }).click();
    await expect(nav).toBeHidden();

    const word = uniqueWord('narrow');
    await page.getByRole('link', { name: 'New contact' }).click();
    await page.getByLabel('Name').fill(`Narrow ${word} with a rather long name that has to wrap`);
    await page.getByLabel('Phone').fill(uniquePhone());
    await page.getByRole('textbox', { name: 'Email' }).fill(`${word}.with.a.long.address@example.com`);
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'contact-new-320');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await expect(page.getByText('Contact created.')).toBeVisible();
    await expect(page.getByRole('switch', { name: 'Email opt-in' })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'contact detail at 320 px');
    await screenshot(page, 'contact-detail-320');

    await page.getByRole('link', { name: '← All contacts' }).click();
    await expect(page.getByRole('list', { name: 'Contacts, newest first' })).toBeVisible();
    await expectNoHorizontalScroll(page);
  });
});

test('the keyboard reaches everything, with a visible focus', async ({ page }) => {
  const who = user('Operator');
  // The contacts page sends a signed-out visitor to the form, and back there once signed in.
  await page.goto('/contacts');
  // A Tab pressed before React has rendered the form lands on the bare document: wait for it.
  await expect(page.getByLabel('Email')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(who.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();

  // Skip link first, then the sidebar, then the page.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeInViewport();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' })).toBeFocused();
  const outline = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement as Element);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(outline.style).not.toBe('none');
  expect(outline.width).toBeGreaterThanOrEqual(2);

  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk Messaging' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agent' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'New contact' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'New contact' })).toBeVisible();

  const contact = await seedContact({ name: uniqueWord('keys'), email: `${uniqueWord('keys')}@example.com` });
  await page.goto(`/contacts/${contact.contactId}`);
  const sms = page.getByRole('switch', { name: 'SMS opt-in' });
  await sms.focus();
  await page.keyboard.press('Space');
  await expect(sms).toHaveAttribute('aria-checked', 'true');
});

test('navigating inside the console never reloads the page', async ({ page }) => {
  await signIn(page, user('Operator'));
  await page.evaluate(() => {
    (window as unknown as { marker: boolean }).marker = true;
  });
  await page.getByRole('link', { name: 'New contact' }).click();
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'New contact' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
});

test('unknown addresses get a page of their own', async ({ page }) => {
  await signIn(page, user('Operator'));
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, 'not found');
  await screenshot(page, 'not-found');
});
