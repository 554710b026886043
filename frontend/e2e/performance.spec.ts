// What the console costs: the gzip size of the code a page loads, how long the page takes to
// become usable, and how much it moves while loading — for the contacts page (written to
// artifacts/metrics.json) and the inbox (artifacts/metrics-inbox.json).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  ARTIFACTS,
  asCustomer,
  expectAccessible,
  screenshot,
  seedContact,
  signIn,
  uniqueIndianPhone,
  uniqueWord,
  user,
} from './support';

// Time to interactive runs 0.9-1.5 s on a quiet machine but reached 3.97 s in a CI run whose other
// worker was seeding conversations through moto at the same moment: the budget only catches a
// regression by a whole order, the printed figure is the measurement.
/** Budgets that catch regressions, not targets: the measured values are printed. */
const BUDGET = { gzipKb: 200, timeToInteractiveMs: 8000, cumulativeLayoutShift: 0.1 };

interface ColdLoad {
  /** The route loaded cold, e.g. `/contacts`. */
  path: string;
  /** The accessible name of the page's list: interactive once it shows a row (a link). */
  list: string;
  /** The accessible name of a search box that must be usable too, if the page has one. */
  searchBox?: string;
  /** Runs on the signing-in page (another context) before the measured load, e.g. to wait for data. */
  beforeLoad?: (page: Page) => Promise<void>;
  /** Names for axe and artifacts/screenshots/<screenshot>.png. */
  accessibilityName: string;
  screenshot: string;
  /** The file under artifacts/ and the first words of the printed line. */
  file: string;
  label: string;
}

/**
 * Signs in once as an Operator, then measures a cold load of `path` by a signed-in user in a fresh
 * context: JS and CSS loaded (and their gzip size), time to interactive, layout shift, requests.
 * Writes artifacts/<file>, prints `<label>: …`, and checks the budgets.
 */
async function measureColdLoad(browser: Browser, load: ColdLoad): Promise<void> {
  const setup = await browser.newContext();
  const setupPage = await setup.newPage();
  await signIn(setupPage, user('Operator'));
  await load.beforeLoad?.(setupPage);
  const storageState = await setup.storageState();
  await setup.close();

  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  await page.addInitScript(
    ({ rowSelector, needsSearch }) => {
      const w = window as unknown as { __cls: number; __interactive?: number };
      w.__cls = 0;
      // Time to interactive: the first moment the list shows a row (and the search box, if any, is usable).
      const observer = new MutationObserver(() => {
        const row = document.querySelector(rowSelector);
        const search = needsSearch ? document.querySelector<HTMLInputElement>('input[type="search"]') : null;
        if (row && (!needsSearch || (search && !search.disabled))) {
          w.__interactive = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document, { childList: true, subtree: true });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!entry.hadRecentInput) w.__cls += entry.value;
        }
      }).observe({ type: 'layout-shift', buffered: true });
    },
    { rowSelector: `ul[aria-label="${load.list}"] a`, needsSearch: load.searchBox !== undefined },
  );
  const assets: { url: string; type: string; bytes: number; gzip: number }[] = [];
  page.on('response', async (response) => {
    const type = response.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    const body = await response.body();
    assets.push({ url: new URL(response.url()).pathname, type, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length });
  });

  await page.goto(load.path);
  const firstRow = page.getByRole('list', { name: load.list }).getByRole('link').first();
  await expect(firstRow).toBeVisible();
  if (load.searchBox !== undefined) await expect(page.getByRole('searchbox', { name: load.searchBox })).toBeEditable();
  const timeToInteractiveMs = await page.evaluate(() =>
    Math.round((window as unknown as { __interactive?: number }).__interactive ?? Number.NaN),
  );
  // When each request ran (ms since navigation), for finding where the time goes.
  const timeline = await page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(
      (e) => `${Math.round(e.startTime)}–${Math.round(e.responseEnd)} ${e.name.replace(location.origin, '')}`,
    ),
  );
  const navigation = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return { domInteractiveMs: Math.round(nav?.domInteractive ?? 0), loadMs: Math.round(nav?.loadEventEnd ?? 0) };
  });
  // Let late shifts (fonts, images) show up before reading the score.
  await page.waitForTimeout(500);
  const cumulativeLayoutShift = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
  await expectAccessible(page, load.accessibilityName);
  await screenshot(page, load.screenshot);

  const sum = (type: string, key: 'bytes' | 'gzip') =>
    assets.filter((a) => a.type === type).reduce((total, a) => total + a[key], 0);
  const metrics = {
    measuredAt: new Date().toISOString(),
    page: load.path,
    timeToInteractiveMs,
    ...navigation,
    cumulativeLayoutShift: Number(cumulativeLayoutShift.toFixed(4)),
    bundle: {
      jsBytes: sum('script', 'bytes'),
      jsGzipBytes: sum('script', 'gzip'),
      cssBytes: sum('stylesheet', 'bytes'),
      cssGzipBytes: sum('stylesheet', 'gzip'),
      assets,
    },
    timeline,
    budget: BUDGET,
  };
  writeFileSync(join(ARTIFACTS, load.file), `${JSON.stringify(metrics, null, 2)}\n`);
  const gzipKb = (metrics.bundle.jsGzipBytes + metrics.bundle.cssGzipBytes) / 1024;
  console.log(
    `${load.label}: bundle ${gzipKb.toFixed(1)} KiB gzip (JS ${(metrics.bundle.jsGzipBytes / 1024).toFixed(1)}, CSS ${(
      metrics.bundle.cssGzipBytes / 1024
    ).toFixed(1)}); time to interactive ${timeToInteractiveMs} ms; DOM interactive ${navigation.domInteractiveMs} ms; CLS ${
      metrics.cumulativeLayoutShift
    }`,
  );

  expect(assets.length).toBeGreaterThan(0);
  expect(gzipKb).toBeLessThan(BUDGET.gzipKb);
  expect(timeToInteractiveMs).toBeLessThan(BUDGET.timeToInteractiveMs);
  expect(cumulativeLayoutShift).toBeLessThan(BUDGET.cumulativeLayoutShift);
  await context.close();
}

test('the contacts page: bundle size, time to interactive, layout shift', async ({ browser }) => {
  const word = uniqueWord('perf');
  for (let i = 0; i < 10; i += 1) await seedContact({ name: `Perf ${word} ${i}`, email: `${word}.${i}@example.com` });

  await measureColdLoad(browser, {
    path: '/contacts',
    list: 'Contacts, newest first',
    searchBox: 'Search contacts',
    accessibilityName: 'contacts list',
    screenshot: 'contacts',
    file: 'metrics.json',
    label: 'metrics',
  });
});

test('the inbox: bundle size, time to interactive, layout shift', async ({ browser }) => {
  // Inbound messages go through SNS, and the inbox shows them at its next poll (5 s).
  test.setTimeout(60_000);
  const word = uniqueWord('perfinbox');
  const names = Array.from({ length: 5 }, (_, i) => `Perf ${word} ${i}`);
  // The sandbox plays the customers: each writes in, which starts a conversation.
  for (const name of names) await asCustomer('messages', { from: uniqueIndianPhone(), name, text: `hello ${word}` });

  await measureColdLoad(browser, {
    path: '/inbox',
    list: 'Conversations, latest first',
    // Measure only once every seeded conversation is in the inbox.
    beforeLoad: async (page) => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
      const list = page.getByRole('list', { name: 'Conversations, latest first' });
      for (const name of names) await expect(list.getByRole('link', { name: new RegExp(name) })).toBeVisible({ timeout: 20_000 });
    },
    accessibilityName: 'inbox',
    screenshot: 'inbox-cold-load',
    file: 'metrics-inbox.json',
    label: 'metrics (inbox)',
  });
});
