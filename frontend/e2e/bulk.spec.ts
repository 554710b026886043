// Bulk messaging against the local stack: the wizard (channel and sender, message, recipients
// picked, filtered or uploaded as CSV, preview, confirm), jobs sent through the real bulk worker to
// the provider sandbox, the live job page (progress, rate chart, controls, report, failed
// recipients), the jobs list, and what a Viewer may see. Tenant `wecare` sends SMS from
// "WECARE SMS pool" at 5 messages per second, which is what gives the controls time to act.
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  callApi,
  clearSandboxFaults,
  expectAccessible,
  expectNoHorizontalScroll,
  injectSandboxFault,
  sandboxLedger,
  screenshot,
  seedContact,
  signIn,
  uniquePhone,
  uniqueWord,
  user,
  type SeededContact,
} from './support';

interface Job {
  jobId: string;
  status: string;
  progress: { total: number; pending: number; sent: number; failed: number; cancelled: number };
  reportReady: boolean;
}

interface Sender {
  senderId: string;
  channel: string;
  default?: boolean;
}

/** The tenant's default SMS sender, as the API names it. */
async function smsSender(): Promise<string> {
  const { items } = await callApi<{ items: Sender[] }>('GET', '/senders');
  const sms = items.filter((s) => s.channel === 'sms');
  const sender = sms.find((s) => s.default === true) ?? sms[0];
  if (!sender) throw new Error('the stack has no SMS sender for tenant wecare');
  return sender.senderId;
}
/** A job runs for minutes at most here; the worker paces SMS at 5 per second. */
const JOB_TIMEOUT = 60_000;

// These tests follow real jobs to their end: more than the suite's 30 seconds each.
test.describe.configure({ timeout: 120_000 });

/** `count` contacts named `<prefix> <word> <i>`, with a phone and SMS consent unless said otherwise. */
async function seedMany(word: string, prefix: string, count: number, optInSms = true): Promise<SeededContact[]> {
  const seeded: SeededContact[] = [];
  for (let i = 0; i < count; i += 1) seeded.push(await seedContact({ name: `${prefix} ${word} ${i}`, phone: uniquePhone(), optInSms }));
  return seeded;
}

/** Creates an SMS job through the API (for tests about the job page rather than the wizard). */
async function createSmsJob(contacts: SeededContact[], body: string, name: string): Promise<Job> {
  const { job } = await callApi<{ job: Job }>('POST', '/bulk-jobs', {
    name,
    channel: 'sms',
    sender: await smsSender(),
    content: { type: 'text', body },
    recipients: { type: 'contacts', contactIds: contacts.map((c) => c.contactId) },
    ...(contacts.length > 20 ? { confirmedCount: contacts.length } : {}),
  });
  return job;
}

/** A job's page (not the wizard at /bulk/new). */
const JOB_PAGE = /\/bulk\/(?!new$)[^/?]+$/;
const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const step = (page: Page, n: number, title: string) => page.getByRole('heading', { level: 2, name: `Step ${n} of 5: ${title}` });
const count = (page: Page, label: string): Locator =>
  page.getByRole('region', { name: 'Progress' }).locator('.outcome-counts__item').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

/**
 * Waits until a count has not changed for `quietMs` (sends in flight when a job is paused still
 * settle), at most `timeoutMs`; records how long that took as an annotation, and returns the count.
 */
async function quietCount(page: Page, label: string, quietMs = 2_000, timeoutMs = 10_000): Promise<string> {
  const started = Date.now();
  let last = await count(page, label).textContent();
  for (;;) {
    await page.waitForTimeout(quietMs);
    const now = await count(page, label).textContent();
    if (now === last) {
      test.info().annotations.push({ type: `${label} quiet after`, description: `${Date.now() - started - quietMs} ms` });
      return now ?? '';
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${label} kept changing for ${timeoutMs} ms (last ${now ?? '?'})`);
    last = now;
  }
}

/** Steps 1 and 2 of the wizard: SMS from the pool, the given text. */
async function smsMessage(page: Page, name: string, text: string) {
  await page.getByRole('link', { name: 'New bulk job' }).click();
  await expect(page).toHaveURL(/\/bulk\/new$/);
  await expect(step(page, 1, 'Channel and sender')).toBeVisible();
  await page.getByRole('radio', { name: 'SMS' }).check();
  await expect(page.getByText('Messages come from WECARE SMS pool')).toBeVisible();
  await page.getByRole('textbox', { name: 'Name (optional)' }).fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(step(page, 2, 'Message')).toBeFocused();
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(step(page, 3, 'Recipients')).toBeVisible();
}

test.describe('as an Operator', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, user('Operator'));
  });

  test('creates an SMS job for picked contacts through the wizard and follows it to COMPLETED, with its report', async ({ page }) => {
    const word = uniqueWord('bulkpick');
    await seedContact({ name: `Pick ${word} Asha`, phone: uniquePhone(), optInSms: true });
    await seedContact({ name: `Pick ${word} Bala`, phone: uniquePhone(), optInSms: true });
    const without = await seedContact({ name: `Pick ${word} Chen`, phone: uniquePhone(), optInSms: false });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk Messaging' }).click();
    await expect(heading(page)).toHaveText('Bulk messaging');
    await expectAccessible(page, 'bulk jobs list');
    await screenshot(page, 'bulk-list');

    await page.getByRole('link', { name: 'New bulk job' }).click();
    await expect(step(page, 1, 'Channel and sender')).toBeVisible();
    await page.getByRole('radio', { name: 'SMS' }).check();
    await page.getByRole('textbox', { name: 'Name (optional)' }).fill(`Pick ${word}`);
    await expectAccessible(page, 'bulk wizard: channel and sender');
    await screenshot(page, 'bulk-wizard-1-sender');
    await page.getByRole('button', { name: 'Continue' }).click();

    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill(`Hi {{name}}, your code is ${word}`);
    await expect(page.getByTestId('sms-count')).toHaveText(/^1 segment · \d+ GSM-7 characters \(160 per segment\)$/);
    await message.fill(`Hi {{name}}, your code is ${word}. ${'x'.repeat(160)}`);
    await expect(page.getByTestId('sms-count')).toHaveText(/^2 segments · \d+ GSM-7 characters \(153 per segment\)$/);
    await message.fill(`Hi {{name}}, your code is ${word}`);
    await expect(page.getByText('This message uses {{name}}.')).toBeVisible();
    await expectAccessible(page, 'bulk wizard: message');
    await screenshot(page, 'bulk-wizard-2-message');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('searchbox', { name: 'Search' }).fill(word);
    const list = page.getByRole('list', { name: 'Contacts to pick from' });
    await expect(list.getByRole('checkbox')).toHaveCount(2);
    // Turning the opt-in filter off lists Chen too: picked, he is shown as left out.
    await page.getByRole('switch', { name: 'Only contacts opted in to SMS' }).click();
    await expect(list.getByRole('checkbox')).toHaveCount(3);
    await page.getByRole('button', { name: /^Pick all shown/ }).click();
    await expect(page.getByText('3 contacts picked.')).toBeVisible();
    await expectAccessible(page, 'bulk wizard: recipients');
    await screenshot(page, 'bulk-wizard-3-recipients');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect(step(page, 4, 'Preview')).toBeVisible();
    await expect(page.getByRole('img', { name: '2 of 3 recipients eligible; left out: not opted in 1.' })).toBeVisible();
    await page.getByText('Not opted in:').click();
    await expect(page.getByRole('link', { name: `Pick ${word} Chen` })).toHaveAttribute('href', `/contacts/${without.contactId}`);
    await expect(page.getByText(new RegExp(`^Hi Pick ${word} (Asha|Bala), your code is ${word}$`))).toHaveCount(2);
    await expect(page.getByText(/^2 segments in total/)).toBeVisible();
    await expectAccessible(page, 'bulk wizard: preview');
    await screenshot(page, 'bulk-wizard-4-preview');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect(step(page, 5, 'Confirm and start')).toBeVisible();
    await expect(page.getByRole('textbox', { name: /to confirm the number of recipients/ })).toHaveCount(0);
    await expectAccessible(page, 'bulk wizard: confirm');
    await screenshot(page, 'bulk-wizard-5-confirm');
    // A double click starts one job (one Idempotency-Key per run of the wizard).
    await page.getByRole('button', { name: 'Start sending to 2 recipients' }).dblclick();

    await expect(page).toHaveURL(JOB_PAGE);
    const jobId = decodeURIComponent(page.url().split('/').pop() ?? '');
    await expect(page.getByText('The job has started: 2 recipients.')).toBeVisible();
    await expect(heading(page)).toHaveText(new RegExp(`^Pick ${word}\\s*(Preparing|Sending|Completed)$`));
    await expect(heading(page)).toHaveText(/Completed$/, { timeout: JOB_TIMEOUT });
    await expect(page.getByRole('progressbar', { name: 'Job progress' })).toHaveAttribute('aria-valuenow', '2');
    await expect(count(page, 'Sent')).toHaveText('2');
    await expect(count(page, 'Failed')).toHaveText('0');
    await expect(page.getByRole('region', { name: 'Progress' })).toContainText('Not opted in: 1');
    await expect(page.getByRole('img', { name: /^Messages per second: peak/ })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Job controls' })).toHaveCount(0);

    const report = page.getByRole('link', { name: 'Download report (CSV)' });
    await expect(report).toBeVisible({ timeout: JOB_TIMEOUT });
    const href = await report.getAttribute('href');
    expect(href).toMatch(/^https?:\/\//);
    const csv = await fetch(href ?? '');
    expect(csv.ok).toBe(true);
    expect((await csv.text()).trim().split('\n').length).toBeGreaterThanOrEqual(3);
    await expectAccessible(page, 'bulk job page, completed');
    await screenshot(page, 'bulk-job-completed');

    const sends = (await sandboxLedger()).filter((e) => e.operation === 'SendTextMessage' && JSON.stringify(e.request).includes(`your code is ${word}`));
    expect(sends).toHaveLength(2);
    const jobs = await callApi<{ items: Job[] }>('GET', '/bulk-jobs?limit=100');
    expect(jobs.items.map((j) => j.jobId)).toContain(jobId);
    expect(jobs.items.filter((j) => j.jobId === jobId)).toHaveLength(1);

    await page.getByRole('link', { name: '← All bulk jobs' }).click();
    const row = page.getByRole('list', { name: 'Bulk jobs, newest first' }).getByRole('link', { name: new RegExp(`Pick ${word}`) });
    await expect(row).toContainText('Completed');
    await expect(row).toContainText('2 of 2 settled · 2 sent');
    await page.getByRole('combobox', { name: 'Status' }).selectOption('COMPLETED');
    await expect(page).toHaveURL(/\?status=COMPLETED$/);
    await expect(page.getByRole('list', { name: 'Bulk jobs completed, newest first' })).toBeVisible();
  });

  test('above 20 recipients the exact count is typed; a count that changed meanwhile goes back to the preview', async ({ page }) => {
    const word = uniqueWord('bulkmany');
    await seedMany(word, 'Many', 21);
    await page.goto('/bulk');
    await smsMessage(page, `Many ${word}`, `Hello {{name}} ${word}`);
    await page.getByRole('radio', { name: 'All matching filters' }).check();
    await page.getByRole('searchbox', { name: 'Search' }).fill(word);
    await expect(page.getByRole('list', { name: 'Contacts matching the filters' }).getByRole('listitem')).toHaveCount(21);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('img', { name: '21 of 21 recipients eligible.' })).toBeVisible();
    await page.getByRole('button', { name: 'Continue' }).click();

    const start = page.getByRole('button', { name: 'Start sending to 21 recipients' });
    const typed = page.getByRole('textbox', { name: 'Type 21 to confirm the number of recipients' });
    await start.click();
    await expect(page.getByText('Type 21 to confirm.')).toBeVisible();
    await typed.fill('12');
    await start.click();
    await expect(page.getByText('That is not the number of recipients: type 21.')).toBeVisible();
    await expect(typed).toHaveAttribute('aria-invalid', 'true');
    await expectAccessible(page, 'bulk wizard: typed count refused');
    await screenshot(page, 'bulk-wizard-confirm-count');

    // Someone adds a matching contact between the preview and Start: the API asks again.
    await seedContact({ name: `Many ${word} late`, phone: uniquePhone(), optInSms: true });
    await typed.fill('21');
    await start.click();
    await expect(page.getByText('The number of eligible recipients has changed.')).toBeVisible();
    await expect(page.getByText(/^22 recipients are eligible now, not 21/)).toBeVisible();
    await expect(step(page, 4, 'Preview')).toBeVisible();
    await expect(page.getByRole('img', { name: '22 of 22 recipients eligible.' })).toBeVisible();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('textbox', { name: 'Type 22 to confirm the number of recipients' }).fill('22');
    await page.getByRole('button', { name: 'Start sending to 22 recipients' }).click();
    await expect(page).toHaveURL(JOB_PAGE);
    await expect(page.getByText('The job has started: 22 recipients.')).toBeVisible();
    await expect.poll(async () => Number(await page.getByRole('progressbar', { name: 'Job progress' }).getAttribute('aria-valuenow')), { timeout: JOB_TIMEOUT }).toBeGreaterThan(0);
  });

  test('pauses, resumes and cancels a running job; cancel asks first', async ({ page }) => {
    const word = uniqueWord('bulkctl');
    const contacts = await seedMany(word, 'Ctl', 30);
    // Three segments each: 90 segments at 5 per second keep the job running for about 18 seconds.
    const job = await createSmsJob(contacts, `Controls ${word} ${'y'.repeat(330)}`, `Controls ${word}`);
    await page.goto(`/bulk/${job.jobId}`);
    const controls = page.getByRole('group', { name: 'Job controls' });

    await controls.getByRole('button', { name: 'Pause' }).click();
    await expect(heading(page)).toHaveText(/Paused$/);
    await expect(controls.getByRole('button')).toHaveText(['Resume', 'Cancel job']);
    await expect(page.getByText('Paused: nothing more is sent until the job is resumed.')).toBeVisible();
    // Sends already in flight when the pause landed still settle; after that nothing moves.
    // Their counts are added at the next flush (every 2 s), so the quiet must last longer than that.
    const sentWhilePaused = await quietCount(page, 'Sent', 3_500, 15_000);
    await page.waitForTimeout(2_000);
    await expect(count(page, 'Sent')).toHaveText(sentWhilePaused);
    await expect(count(page, 'Pending')).not.toHaveText('0');
    await expectAccessible(page, 'bulk job page, paused');
    await screenshot(page, 'bulk-job-paused');

    await controls.getByRole('button', { name: 'Resume' }).click();
    await expect(heading(page)).toHaveText(/(Sending|Preparing)$/);
    await expect(controls.getByRole('button')).toHaveText(['Pause', 'Cancel job']);
    await expect(page.getByText(/^About .+ left/)).toBeVisible();
    await expectAccessible(page, 'bulk job page, running');
    await screenshot(page, 'bulk-job-running');

    await controls.getByRole('button', { name: 'Cancel job' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this job?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Keep the job' })).toBeFocused();
    await expectAccessible(page, 'cancel job confirmation');
    await screenshot(page, 'bulk-job-cancel-confirm');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(heading(page)).not.toHaveText(/Cancelled$/);

    await controls.getByRole('button', { name: 'Cancel job' }).click();
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await expect(heading(page)).toHaveText(/Cancelled$/);
    await expect(page.getByRole('group', { name: 'Job controls' })).toHaveCount(0);
    await expect.poll(async () => Number(await count(page, 'Cancelled').textContent()), { timeout: JOB_TIMEOUT }).toBeGreaterThan(0);
    await expect(count(page, 'Pending')).toHaveText('0', { timeout: JOB_TIMEOUT });
    await expect(page.getByRole('link', { name: 'Download report (CSV)' })).toBeVisible({ timeout: JOB_TIMEOUT });
    const final = await callApi<{ job: Job }>('GET', `/bulk-jobs/${job.jobId}`);
    expect(final.job.status).toBe('CANCELLED');
    expect(final.job.progress.sent + final.job.progress.cancelled + final.job.progress.failed).toBe(30);
  });

  test('uploads a CSV with its progress; unusable rows are listed by line; its columns fill the message', async ({ page }) => {
    const word = uniqueWord('bulkcsv');
    const [a, b] = [uniquePhone(), uniquePhone()];
    const csv = [`phone,name,optInSms,order`, `${a},Asha ${word},yes,A-101`, `12,Broken ${word},yes,A-102`, `${b},Bala ${word},yes,A-103`, ''].join('\n');
    await page.goto('/bulk');
    await smsMessage(page, `CSV ${word}`, `Order {{order}} for {{name}} (${word})`);
    await page.getByRole('radio', { name: 'Upload a CSV' }).check();
    await expect(page.getByText(/any other column is a variable/)).toBeVisible();
    await page.getByLabel('CSV file').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(page.getByText('Uploaded list.csv.')).toBeVisible();
    await expect(page.getByText(/variables: \{\{order\}\}/)).toBeVisible();
    await expectAccessible(page, 'bulk wizard: CSV uploaded');
    await screenshot(page, 'bulk-wizard-csv');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect(page.getByRole('img', { name: /^2 of \d+ recipients? eligible/ })).toBeVisible();
    await expect(page.getByRole('heading', { name: /^Rows that could not be used/ })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: /^3/ })).toContainText('12');
    await expect(page.getByText(`Order A-101 for Asha ${word} (${word})`)).toBeVisible();
    await expectAccessible(page, 'bulk wizard: CSV preview');
    await screenshot(page, 'bulk-wizard-csv-preview');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Start sending to 2 recipients' }).click();
    await expect(heading(page)).toHaveText(/Completed$/, { timeout: JOB_TIMEOUT });
    const sends = (await sandboxLedger()).filter((e) => e.operation === 'SendTextMessage' && JSON.stringify(e.request).includes(`(${word})`));
    expect(sends.map((e) => String(e.request.MessageBody)).sort()).toEqual([`Order A-101 for Asha ${word} (${word})`, `Order A-103 for Bala ${word} (${word})`]);
  });
});

test.describe('when the provider refuses', { lock: '-exclusive-' }, () => {
  test.afterEach(async () => {
    await clearSandboxFaults();
  });

  test('failed recipients are listed with the provider’s reason, and the job completes with failures', async ({ page }) => {
    const word = uniqueWord('bulkfail');
    const contacts = await seedMany(word, 'Fail', 2);
    await signIn(page, user('Operator'));
    await injectSandboxFault({ operation: 'SendTextMessage', count: 1, status: 400, code: 'ValidationException', message: 'refused by the sandbox' });
    const job = await createSmsJob(contacts, `Failing ${word}`, `Failing ${word}`);
    await page.goto(`/bulk/${job.jobId}`);
    await expect(heading(page)).toHaveText(/Completed with failures$/, { timeout: JOB_TIMEOUT });
    await expect(count(page, 'Failed')).toHaveText('1');
    await expect(count(page, 'Sent')).toHaveText('1');
    const failed = page.getByRole('table', { name: 'Recipients failed' });
    await expect(failed.getByRole('row')).toHaveCount(2);
    await expect(failed).toContainText('ValidationException');
    await page.getByRole('combobox', { name: 'Show recipients' }).selectOption('sent');
    await expect(page.getByRole('table', { name: 'Recipients sent' }).getByRole('row')).toHaveCount(2);
    await expectAccessible(page, 'bulk job page with failures');
    await screenshot(page, 'bulk-job-failures');
  });
});

test('a Viewer follows bulk jobs but gets no create or control', async ({ page }) => {
  const word = uniqueWord('bulkview');
  const contacts = await seedMany(word, 'Seen', 25);
  const job = await createSmsJob(contacts, `Seen ${word} ${'z'.repeat(330)}`, `Seen ${word}`);
  await callApi('POST', `/bulk-jobs/${job.jobId}/pause`, {});

  await signIn(page, user('Viewer'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk Messaging' }).click();
  await expect(heading(page)).toHaveText('Bulk messaging');
  await expect(page.getByRole('link', { name: 'New bulk job' })).toHaveCount(0);
  await page.getByRole('link', { name: new RegExp(`Seen ${word}`) }).click();
  await expect(heading(page)).toHaveText(/Paused$/);
  await expect(page.getByRole('group', { name: 'Job controls' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Pause|Resume|Cancel job)$/ })).toHaveCount(0);
  await expectAccessible(page, 'bulk job page as a Viewer');
  await screenshot(page, 'bulk-job-viewer');

  await page.goto('/bulk/new');
  await expect(page.getByText('Your role does not allow you to create bulk jobs.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue' })).toHaveCount(0);
  await callApi('POST', `/bulk-jobs/${job.jobId}/cancel`, {});
});

test.describe('at 320 px wide', () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test('the jobs list, the wizard and a job page fit without sideways scrolling', async ({ page }) => {
    const word = uniqueWord('bulknarrow');
    const contacts = await seedMany(word, 'Narrow', 1);
    const job = await createSmsJob(contacts, `Narrow ${word}`, `Narrow ${word} with a rather long name that has to wrap`);
    await signIn(page, user('Operator'));
    await page.goto('/bulk');
    await expect(page.getByRole('list', { name: 'Bulk jobs, newest first' })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'bulk-list-320');
    await page.goto('/bulk/new');
    await expect(step(page, 1, 'Channel and sender')).toBeVisible();
    // Measured as it loads (the senders' placeholders) and once it has.
    await expectNoHorizontalScroll(page);
    await expect(page.getByRole('group', { name: 'Channel' })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await page.goto(`/bulk/${job.jobId}`);
    await expect(heading(page)).toHaveText(/Completed$/, { timeout: JOB_TIMEOUT });
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'bulk job page at 320 px');
    await screenshot(page, 'bulk-job-320');
  });
});
