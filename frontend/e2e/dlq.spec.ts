// Failed messages against the local stack: a customer's photo whose copy the provider sandbox
// fails three times is moved to inbound-dlq by the queue's redrive (as a subscription's
// dead-letter queue holds it in AWS), shows up on the Admin's Failed messages page, and a replay
// runs the inbound handler on it again, so the photo lands in its conversation. The sandbox's
// faults are global: this runs alone (the `-exclusive-` lock).
import { expect, test, type Page } from '@playwright/test';
import {
  clearSandboxFaults,
  expectAccessible,
  expectNoHorizontalScroll,
  injectSandboxFault,
  asCustomer,
  screenshot,
  signIn,
  uniqueIndianPhone,
  uniqueWord,
  user,
} from './support';

/** The table of the queue on screen. */
const table = (page: Page, queue: string) => page.getByRole('table', { name: new RegExp(`^Failed messages in ${queue}`) });

test.describe('a failed inbound event', { lock: '-exclusive-' }, () => {
  test.afterEach(async () => {
    await clearSandboxFaults();
  });

  test('appears on the Failed messages page and is replayed into its conversation', async ({ page }) => {
    // Three failed deliveries two seconds apart before the redrive, then the replay and the inbox.
    test.setTimeout(90_000);
    const word = uniqueWord('dlq');
    const phone = uniqueIndianPhone();
    const name = `Failed ${word}`;
    const caption = `receipt ${word}`;
    await injectSandboxFault({ operation: 'GetWhatsAppMessageMedia', count: 3, status: 500, code: 'InternalServiceException' });
    await asCustomer('messages', { from: phone, name, type: 'image', caption, mimeType: 'image/png' });

    await signIn(page, user('Admin'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed messages' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Failed messages' })).toBeVisible();
    const tabs = page.getByRole('navigation', { name: 'Dead-letter queues' });
    await expect(tabs.getByRole('link', { name: /Inbound/ })).toHaveAttribute('aria-current', 'page');

    // The redrive takes three failed deliveries; the page looks into the queue when asked.
    const row = table(page, 'inbound-dlq').getByRole('row').filter({ hasText: `Photo from ${phone}` });
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(page.getByRole('button', { name: 'Refresh' })).toBeEnabled();
      await expect(row).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 45_000, intervals: [1_000] });
    await expect(row).toContainText(`“${caption}”`);
    await expect(row).toContainText('Failed three times in the inbound handler');
    await expect(row).toContainText('0 of 5');
    await expect(row).toContainText('Waiting');
    await expect(tabs.getByRole('link', { name: /Inbound/ })).not.toContainText(/\b0 messages/);
    await expectAccessible(page, 'failed messages with an inbound event');
    await screenshot(page, 'failed-messages');

    // Nothing was stored while it failed: the customer has no conversation yet.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const inbox = page.getByRole('list', { name: 'Conversations, latest first' });
    await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
    await expect(inbox.getByRole('link', { name: new RegExp(word) })).toHaveCount(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed messages' }).click();
    await row.getByRole('checkbox', { name: `Select: Photo from ${phone}` }).check();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay 1 message from inbound-dlq?' });
    await expect(dialog).toContainText('after 5 it is abandoned');
    await expectAccessible(page, 'replay confirmation');
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();

    const results = page.getByRole('region', { name: 'Replay results' });
    await expect(results).toBeFocused();
    await expect(results.getByRole('status')).toHaveText('1 replayed.');
    const outcome = results.getByRole('listitem').filter({ hasText: `Photo from ${phone}` });
    await expect(outcome).toContainText('Replayed');
    await expect(outcome).toContainText('Processed by the inbound handler. It has left the queue.');
    await expect(row).toHaveCount(0);
    await expectAccessible(page, 'replay results');
    await screenshot(page, 'failed-messages-replayed');

    // The photo is now in the customer's conversation, with its caption.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const conversation = inbox.getByRole('link', { name: new RegExp(word) });
    await expect(conversation).toBeVisible({ timeout: 15_000 });
    await conversation.click();
    const bubble = page.getByRole('list', { name: 'Messages, oldest first' }).locator('.bubble').filter({ hasText: caption });
    await expect(bubble).toHaveCount(1);
    await expect(bubble.getByRole('img', { name: `Photo from ${name}: ${caption}` })).toBeVisible();
  });
});

test('an Operator is not offered the Failed messages page', async ({ page }) => {
  await signIn(page, user('Operator'));
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed messages' })).toHaveCount(0);
  await page.goto('/failed-messages');
  await expect(page.getByText('Your role does not allow you to see or replay failed messages.')).toBeVisible();
  await expectAccessible(page, 'failed messages refused to an Operator');
});

test.describe('at 320 px wide', () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test('the Failed messages page fits without sideways scrolling', async ({ page }) => {
    await signIn(page, user('Admin'));
    await page.goto('/failed-messages?queue=outbound-dlq');
    await expect(page.getByRole('heading', { level: 1, name: 'Failed messages' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Refresh' })).toBeEnabled();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'failed messages at 320 px');
  });
});
