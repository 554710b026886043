// What the console costs: the gzip size of the code the contacts page loads, how long the page
// takes to become usable, and how much it moves while loading. Written to artifacts/metrics.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { ARTIFACTS, expectAccessible, screenshot, seedContact, signIn, uniqueWord, user } from './support';

/** Budgets that catch regressions, not targets: the measured values are printed. */
const BUDGET = { gzipKb: 200, timeToInteractiveMs: 4000, cumulativeLayoutShift: 0.1 };

test('the contacts page: bundle size, time to interactive, layout shift', async ({ browser }) => {
  const word = uniqueWord('perf');
  for (let i = 0; i < 10; i += 1) await seedContact({ name: `Perf ${word} ${i}`, email: `${word}.${i}@example.com` });

  // Sign in once, then measure a cold load of the contacts page by a signed-in user.
  const setup = await browser.newContext();
  await signIn(await setup.newPage(), user('Operator'));
  const storageState = await setup.storageState();
  await setup.close();

  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number; __interactive?: number };
    w.__cls = 0;
    // Time to interactive: the first moment the list shows a contact and the search box is usable.
    const observer = new MutationObserver(() => {
      const row = document.querySelector('ul[aria-label="Contacts, newest first"] a');
      const search = document.querySelector<HTMLInputElement>('input[type="search"]');
      if (row && search && !search.disabled) {
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
  });
  const assets: { url: string; type: string; bytes: number; gzip: number }[] = [];
  page.on('response', async (response) => {
    const type = response.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    const body = await response.body();
    assets.push({ url: new URL(response.url()).pathname, type, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length });
  });

  await page.goto('/contacts');
  const firstRow = page.getByRole('list', { name: 'Contacts, newest first' }).getByRole('link').first();
  await expect(firstRow).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search contacts' })).toBeEditable();
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
  await expectAccessible(page, 'contacts list');
  await screenshot(page, 'contacts');

  const sum = (type: string, key: 'bytes' | 'gzip') =>
    assets.filter((a) => a.type === type).reduce((total, a) => total + a[key], 0);
  const metrics = {
    measuredAt: new Date().toISOString(),
    page: '/contacts',
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
  writeFileSync(join(ARTIFACTS, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  const gzipKb = (metrics.bundle.jsGzipBytes + metrics.bundle.cssGzipBytes) / 1024;
  console.log(
    `metrics: bundle ${gzipKb.toFixed(1)} KiB gzip (JS ${(metrics.bundle.jsGzipBytes / 1024).toFixed(1)}, CSS ${(
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
});
