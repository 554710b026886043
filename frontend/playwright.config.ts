// The browser suite, run by `npm run e2e` (scripts/e2e.mjs), which starts a private local stack
// and passes its address. Debian's Chromium, never a downloaded browser.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.WECARE_E2E_BASE_URL;
if (!baseURL) throw new Error('WECARE_E2E_BASE_URL is not set: run the suite with `npm run e2e`');

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'artifacts/test-results',
  timeout: 30_000,
  expect: { timeout: 7_500 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: 'artifacts/e2e-results.json' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Playwright gives every launch a fresh, empty profile (--user-data-dir) and runs headless.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
