// The overview against the local stack: messages this test sends, has delivered and read, and
// receives (through the real functions, the provider sandbox and the inbound handler) show up in
// the tenant's counters, and the page draws its charts and cards from them. The tenant `globex`
// is used because no other spec sends in it, so its counts are this test's. Also: an Admin's path
// from the queues waiting to Failed messages, and what a cold load of the page costs (written to
// artifacts/metrics-overview.json).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import {
  ARTIFACTS,
  asCustomer,
  callApi,
  expectAccessible,
  expectNoHorizontalScroll,
  screenshot,
  signInHome,
  uniqueIndianPhone,
  uniqueWord,
  user,
} from './support';

type Counts = Record<'sent' | 'delivered' | 'read' | 'failed' | 'unknown' | 'dryRun' | 'received', number>;
type ByChannel = Record<'whatsapp' | 'sms' | 'email', Counts>;

interface Overview {
  messages: {
    today: { hour: string; channels: ByChannel }[];
    days: { date: string; channels: ByChannel }[];
    channels: { channel: string; totals: Counts; deliveryRate: number | null; readRate: number | null }[];
  };
  tier: { used: number; limit: number }[];
  deadLetterQueues: { queue: string; depth: number | null }[] | null;
}

/** The globex WhatsApp number (seed::whatsapp_numbers). */
const GLOBEX_NUMBER = 'phone-number-id-7c0b1e5a9d2f4c3b8a6e0d1f2a3b4c5d';
const globex = () => user('Operator', 'globex');

const offset = () => -new Date().getTimezoneOffset() || 0;

function readOverview(who = globex()): Promise<Overview> {
  return callApi<Overview>('GET', `/overview?utcOffsetMinutes=${offset()}`, undefined, { who });
}

/** The seven days' totals of a channel. */
function totals(o: Overview, channel: string): Counts {
  const found = o.messages.channels.find((c) => c.channel === channel);
  if (!found) throw new Error(`no ${channel} in the overview`);
  return found.totals;
}

/** Today's counts over every channel. */
function today(o: Overview): Counts {
  const day = o.messages.days[o.messages.days.length - 1];
  const sum: Counts = { sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, dryRun: 0, received: 0 };
  if (!day) return sum;
  for (const channel of Object.values(day.channels)) for (const k of Object.keys(sum) as (keyof Counts)[]) sum[k] += channel[k];
  return sum;
}

/** Pixels of a chart's canvas that are not blank: the library drew lines on it. */
async function inkOf(page: Page, figureName: string): Promise<number> {
  const canvas = page.getByRole('figure', { name: figureName }).locator('canvas');
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data) return 0;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) ink += 1;
    return ink;
  });
}

test('the overview draws its charts from the messages the test sent, had delivered and read, and received', async ({ page }) => {
  // Inbound and statuses go through SNS and the inbound handler: a few seconds each.
  test.setTimeout(90_000);
  const who = globex();
  const before = await readOverview();
  const word = uniqueWord('overview');

  // A customer writes to globex's number: received, and the WhatsApp window opens.
  const phone = uniqueIndianPhone();
  await asCustomer('messages', { from: phone, name: `Overview ${word}`, text: `hello ${word}`, phoneNumberId: GLOBEX_NUMBER });
  let contactId = '';
  await expect(async () => {
    const { items } = await callApi<{ items: { contactId: string; lastMessage: { text?: string } }[] }>('GET', '/conversations', undefined, { who });
    contactId = items.find((c) => c.lastMessage.text === `hello ${word}`)?.contactId ?? '';
    expect(contactId).not.toBe('');
  }).toPass({ timeout: 20_000 });
  await callApi('PATCH', `/contacts/${contactId}`, { optInWhatsApp: true }, { who });
  // A reply inside the window, then the customer's phone says it was delivered and read.
  const reply = await callApi<{ providerMessageId: string }>('POST', '/messages/whatsapp', { contactId, text: `Thanks ${word}` }, { who });
  await asCustomer('statuses', { messageId: reply.providerMessageId, status: 'delivered' });
  await asCustomer('statuses', { messageId: reply.providerMessageId, status: 'read' });
  // An SMS and an email to another customer.
  const other = await callApi<{ contactId: string }>(
    'POST',
    '/contacts',
    { name: `Overview ${word} 2`, phone: uniqueIndianPhone(), email: `${word}@example.com`, optInSms: true, optInEmail: true },
    { who },
  );
  await callApi('POST', '/messages/sms', { contactId: other.contactId, text: `Your order ${word}` }, { who });
  await callApi('POST', '/messages/email', { contactId: other.contactId, subject: `Order ${word}`, text: 'It is ready.' }, { who });

  // The counters follow (the statuses arrive through SNS).
  let after = before;
  await expect(async () => {
    after = await readOverview();
    expect(totals(after, 'whatsapp').received - totals(before, 'whatsapp').received).toBe(1);
    expect(totals(after, 'whatsapp').sent - totals(before, 'whatsapp').sent).toBe(1);
    expect(totals(after, 'whatsapp').delivered - totals(before, 'whatsapp').delivered).toBe(1);
    expect(totals(after, 'whatsapp').read - totals(before, 'whatsapp').read).toBe(1);
    expect(totals(after, 'sms').sent - totals(before, 'sms').sent).toBe(1);
    expect(totals(after, 'email').sent - totals(before, 'email').sent).toBe(1);
  }).toPass({ timeout: 30_000 });

  // Signing in lands on the overview, which draws what the API counted.
  const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/overview' && r.status() === 200);
  await signInHome(page, who);
  const shown = (await (await response).json()) as Overview;
  expect(totals(shown, 'whatsapp')).toEqual(totals(after, 'whatsapp'));
  const day = today(shown);

  const todayCards = page.getByRole('region', { name: 'Today, all channels' });
  await expect(todayCards.getByRole('definition').nth(0)).toHaveText(String(day.sent));
  await expect(todayCards.getByRole('definition').nth(4)).toHaveText(String(day.received));

  const hourly = 'Messages per hour today, all channels';
  const weekly = 'Messages per day, last 7 days, all channels';
  for (const name of [hourly, weekly]) {
    const figure = page.getByRole('figure', { name });
    await expect(figure.getByRole('img')).toHaveAccessibleName(new RegExp(`^${name}: \\d+ sent`));
    await expect(figure.locator('canvas')).toHaveCount(1);
  }
  const hourlySum = shown.messages.today.reduce((n, h) => n + h.channels.whatsapp.read + h.channels.sms.read + h.channels.email.read, 0);
  await expect(page.getByRole('figure', { name: hourly }).getByRole('list')).toContainText(`Read ${hourlySum}`);
  const weekSent = shown.messages.channels.reduce((n, c) => n + c.totals.sent, 0);
  await expect(page.getByRole('figure', { name: weekly }).getByRole('list')).toContainText(`Sent ${weekSent}`);
  expect(await inkOf(page, hourly)).toBeGreaterThan(200);
  expect(await inkOf(page, weekly)).toBeGreaterThan(200);

  // The numbers behind a chart, as a table.
  const numbers = page.getByRole('figure', { name: weekly }).getByText('Show the numbers');
  await numbers.click();
  const table = page.getByRole('figure', { name: weekly }).getByRole('table');
  await expect(table.getByRole('row')).toHaveCount(8);
  await expect(table.getByRole('row').last()).toContainText(String(day.sent));

  // One channel: WhatsApp, with its rates.
  await page.getByRole('radio', { name: 'WhatsApp' }).click();
  await expect(page.getByRole('radio', { name: 'WhatsApp' })).toBeChecked();
  await expect(page).toHaveURL(/\?channel=whatsapp$/);
  const whatsappToday = shown.messages.days[shown.messages.days.length - 1]?.channels.whatsapp;
  await expect(page.getByRole('region', { name: 'Today, WhatsApp' }).getByRole('definition').nth(2)).toHaveText(String(whatsappToday?.read));
  const rates = page.getByRole('region', { name: 'Delivery and read rates, last 7 days' });
  const rate = shown.messages.channels.find((c) => c.channel === 'whatsapp')?.deliveryRate ?? 0;
  await expect(rates.getByRole('listitem').filter({ hasText: 'WhatsApp' })).toContainText(`Delivered, of sent${Math.round(rate * 100)} %`);
  await expect(rates).toContainText('SMS delivery statuses do not reach the platform');
  await expect(page.getByRole('region', { name: 'WhatsApp messaging tier' }).getByRole('img')).toHaveAccessibleName(/business-initiated conversations used/);
  // An Operator is shown no queues.
  await expect(page.getByRole('region', { name: 'Failed messages waiting' })).toHaveCount(0);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page, 'overview');
  await screenshot(page, 'overview');
});

test('an Admin goes from the failed messages waiting to the Failed messages page', async ({ page }) => {
  await signInHome(page, user('Admin'));
  const queues = page.getByRole('region', { name: 'Failed messages waiting' });
  await expect(queues.getByRole('listitem')).toHaveCount(3);
  await expect(queues.getByRole('listitem').first()).toContainText(/Inbound events \(inbound-dlq\)\d+ waiting/);
  await expectAccessible(page, 'overview as an Admin');
  await queues.getByRole('link', { name: /Bulk work/ }).click();
  await expect(page).toHaveURL(/\/failed-messages\?queue=bulk-dlq$/);
  await expect(page.getByRole('navigation', { name: 'Dead-letter queues' }).getByRole('link', { name: /Bulk/ })).toHaveAttribute('aria-current', 'page');
});

test('a Viewer signs in to the contacts and may open the overview, without the queues', async ({ page }) => {
  await signInHome(page, user('Viewer'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('figure', { name: /^Messages per day/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Failed messages waiting' })).toHaveCount(0);
});

test('the overview’s cold load: bundle size, time until its charts are drawn, the API’s answer', async ({ browser }) => {
  const setup = await browser.newContext();
  await signInHome(await setup.newPage(), user('Admin'));
  const storageState = await setup.storageState();
  await setup.close();

  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  const assets: { url: string; type: string; bytes: number; gzip: number }[] = [];
  page.on('response', async (r) => {
    const type = r.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    const body = await r.body();
    assets.push({ url: new URL(r.url()).pathname, type, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length });
  });
  await page.goto('/overview');
  await expect(page.getByRole('figure', { name: /^Messages per day/ }).locator('canvas')).toBeVisible();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const api = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => e.name.includes('/api/overview'));
    return {
      chartsDrawnMs: Math.round(performance.now()),
      domInteractiveMs: Math.round(nav?.domInteractive ?? 0),
      apiMs: api ? Math.round(api.responseEnd - api.startTime) : null,
    };
  });
  const gzipKb = assets.reduce((n, a) => n + a.gzip, 0) / 1024;
  const metrics = { measuredAt: new Date().toISOString(), page: '/overview', ...timing, bundle: { gzipKb: Number(gzipKb.toFixed(1)), assets } };
  writeFileSync(join(ARTIFACTS, 'metrics-overview.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  console.log(
    `metrics (overview): bundle ${gzipKb.toFixed(1)} KiB gzip; charts drawn at ${timing.chartsDrawnMs} ms; GET /api/overview ${String(timing.apiMs)} ms; DOM interactive ${timing.domInteractiveMs} ms`,
  );
  // The console's budgets (performance.spec.ts): they catch regressions, the line above is the measurement.
  expect(gzipKb).toBeLessThan(200);
  expect(timing.chartsDrawnMs).toBeLessThan(8000);
  await context.close();
});

test.describe('at 320 px wide', () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test('the overview fits without sideways scrolling, its charts included', async ({ page }) => {
    await signInHome(page, user('Admin'));
    await expect(page.getByRole('figure', { name: /^Messages per day/ }).locator('canvas')).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'overview at 320 px');
    await screenshot(page, 'overview-320');
    await page.getByRole('figure', { name: /^Messages per day/ }).screenshot({ path: join(ARTIFACTS, 'screenshots', 'overview-320-week.png') });
  });
});
