// The assistant, in the browser, against the local stack: the sandbox plays the customer (inbound
// WhatsApp through SNS and the inbound handler) and Bedrock (a knowledge base of the demo business
// and an agent that drafts from it). An Operator asks for a draft, opens its source, edits and
// approves it — sent once, through the send pipeline to the provider — rejects another with a
// reason and rates it down; automation drafts by itself while on and calls no Bedrock while off;
// the Agent page answers with its sources; an Admin reviews the figures; a Viewer is offered none
// of it. The automation test changes tenant `wecare`'s settings and counts every Bedrock call, so
// it runs alone (the `-exclusive-` lock) and puts the settings back as it found them.
import { expect, test, type Page } from '@playwright/test';
import {
  asCustomer,
  callApi,
  expectAccessible,
  sandboxLedger,
  screenshot,
  seedContact,
  signIn,
  uniqueIndianPhone,
  uniqueWord,
  user,
  type SeededContact,
} from './support';

interface Suggestion {
  id: string;
  status: string;
  text: string;
  messageId: string | null;
}

interface StoredMessage {
  messageId: string;
  direction: 'inbound' | 'outbound';
  text?: string;
}

interface SettingsConfig {
  aiAutomation: boolean;
  alertRecipients: string[];
  quietHours: { start: string; end: string; timeZone: string } | null;
}

interface SettingsBody {
  config: SettingsConfig;
  version: number;
}

/** Drafting goes through the agent; the first call of a fresh stack can take a while. */
const DRAFT_TIMEOUT = 20_000;

const bubbles = (page: Page) => page.getByRole('list', { name: 'Messages, oldest first' }).locator('.bubble');
const bubbleWith = (page: Page, text: string) => bubbles(page).filter({ hasText: text });
const drafts = (page: Page) => page.getByRole('list', { name: 'Drafts, newest first' }).getByRole('article');

/** The provider calls of `operation` that carried `text` (every test shares the sandbox's ledger). */
async function providerCallsWith(operation: string, text: string) {
  return (await sandboxLedger()).filter((e) => e.operation === operation && JSON.stringify(e.request).includes(text));
}

async function bedrockCalls(): Promise<number> {
  return (await sandboxLedger()).filter((e) => e.service === 'bedrock-agent-runtime').length;
}

/** A contact opted in to WhatsApp who has just written `text` (so the window is open), on screen. */
async function customerWrites(page: Page, prefix: string, text: (word: string) => string): Promise<{ contact: SeededContact; word: string; phone: string }> {
  const word = uniqueWord(prefix);
  const phone = uniqueIndianPhone();
  const contact = await seedContact({ name: `Asha ${word}`, phone, optInWhatsApp: true });
  await asCustomer('messages', { from: phone, name: `Asha ${word}`, text: text(word) });
  await signIn(page, user('Operator'));
  await page.goto(`/conversations/${contact.contactId}`);
  await expect(bubbleWith(page, text(word))).toBeVisible({ timeout: 20_000 });
  return { contact, word, phone };
}

test('an Operator gets a draft with its source, edits and approves it — sent once — then rejects another and rates it down', async ({ page }) => {
  test.setTimeout(90_000);
  const { contact, word } = await customerWrites(page, 'returns', (w) => `What is your returns policy? (${w})`);
  const panel = page.getByRole('region', { name: 'Reply suggestions' });
  await expect(panel).toBeVisible();

  // Drafting takes a moment: the page says so, then the draft is there with its sources.
  await panel.getByRole('button', { name: 'Suggest a reply' }).click();
  await expect(drafts(page)).toHaveCount(1, { timeout: DRAFT_TIMEOUT });
  const draft = drafts(page).first();
  await expect(draft).toHaveAccessibleName(/^Drafted at your request · /);
  await expect(draft.getByText('Waiting for approval')).toBeVisible();
  const marker = draft.getByRole('button', { name: /^Source 1: / });
  await expect(marker).toBeVisible();
  await marker.click();
  await expect(marker).toHaveAttribute('aria-expanded', 'true');
  const source = draft.getByRole('group', { name: 'Draft, source 1' });
  await expect(source).toBeVisible();
  await expect(source.locator('blockquote')).not.toBeEmpty();
  await expect(source).toContainText('s3://wecare-knowledge-base/');
  await expectAccessible(page, 'conversation with a draft and its source');
  await screenshot(page, 'ai-draft-source');

  // Edit, approve: the reply goes once, and shows in the timeline once.
  const reply = `Hello Asha! You can return unused items within 15 days of delivery. (${word})`;
  await draft.getByRole('button', { name: 'Edit' }).click();
  const box = draft.getByRole('textbox', { name: 'Your reply' });
  await expect(box).toBeFocused();
  await box.fill(reply);
  await expectAccessible(page, 'editing a draft');
  await draft.getByRole('button', { name: 'Approve edited' }).click();
  await expect(draft.getByText(/^Edited and approved by you on .*\. Sent\.$/)).toBeVisible({ timeout: 15_000 });
  await expect(draft.getByText('Sent, as edited')).toBeVisible();
  await expect(bubbleWith(page, reply)).toHaveCount(1, { timeout: 15_000 });
  await expect(bubbleWith(page, reply)).toHaveClass(/bubble--outbound/);
  const stored = await callApi<{ items: StoredMessage[] }>('GET', `/contacts/${contact.contactId}/messages?limit=100`);
  expect(stored.items.filter((m) => m.direction === 'outbound' && m.text === reply)).toHaveLength(1);
  expect(await providerCallsWith('SendWhatsAppMessage', reply)).toHaveLength(1);
  await screenshot(page, 'ai-draft-approved');

  // Another draft: rejected with a reason, then rated down with a comment.
  await panel.getByRole('button', { name: 'Suggest a reply' }).click();
  await expect(drafts(page)).toHaveCount(2, { timeout: DRAFT_TIMEOUT });
  const second = drafts(page).first();
  await expect(second.getByText('Waiting for approval')).toBeVisible();
  await second.getByRole('button', { name: 'Reject' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reject this draft?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Reject draft' }).click();
  await expect(dialog.getByText('Say why the draft is not right: it helps improve the assistant.')).toBeVisible();
  await expectAccessible(page, 'rejecting a draft');
  const reason = `Already answered (${word})`;
  await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
  await dialog.getByRole('button', { name: 'Reject draft' }).click();
  await expect(dialog).toBeHidden();
  await expect(second.getByText(new RegExp(`^Rejected by you on .*: “${reason.replace(/[()]/g, '\\$&')}”$`))).toBeVisible();

  await second.getByRole('button', { name: 'Not helpful' }).click();
  const comment = second.getByRole('textbox', { name: 'Comment (optional)' });
  await expect(comment).toBeFocused();
  await comment.fill('Repeats the previous reply');
  await second.getByRole('button', { name: 'Send feedback: not helpful' }).click();
  await expect(second.getByText('Thanks: feedback recorded. You rated it not helpful: “Repeats the previous reply”')).toBeVisible();
  await expect(second.getByRole('button', { name: 'Not helpful' })).toHaveAttribute('aria-pressed', 'true');

  // Nothing of the rejected draft went out.
  const after = await callApi<{ items: Suggestion[] }>('GET', `/ai/suggestions?contactId=${contact.contactId}`);
  const rejected = after.items.find((s) => s.status === 'rejected');
  expect(rejected?.messageId).toBeNull();
  expect(await providerCallsWith('SendWhatsAppMessage', rejected?.text ?? '-')).toHaveLength(0);
  await expectAccessible(page, 'conversation with decided drafts');
  await screenshot(page, 'ai-drafts-decided');
});

test.describe('automation', { lock: '-exclusive-' }, () => {
  const admin = () => user('Admin');
  const readSettings = () => callApi<SettingsBody>('GET', '/settings', undefined, { who: admin() });
  const setAutomation = async (on: boolean) => {
    const now = await readSettings();
    await callApi('PUT', '/settings', { version: now.version, config: { ...now.config, aiAutomation: on } }, { who: admin() });
  };

  let original: SettingsConfig;
  test.beforeAll(async () => {
    original = (await readSettings()).config;
  });
  test.afterAll(async () => {
    const now = await readSettings();
    await callApi('PUT', '/settings', { version: now.version, config: original }, { who: admin() });
  });

  test('drafts a reply by itself for each new message while on, and asks Bedrock nothing while off', async ({ page }) => {
    test.setTimeout(90_000);
    await setAutomation(false);
    const { word, phone } = await customerWrites(page, 'auto', (w) => `Hello (${w})`);
    await expect(page.getByText(/^No drafts yet\./)).toBeVisible();

    // On: the customer writes, and a draft shows up on the open page without a reload.
    await setAutomation(true);
    await asCustomer('messages', { from: phone, name: `Asha ${word}`, text: `What are your opening hours? (${word})` });
    await expect(bubbleWith(page, `What are your opening hours? (${word})`)).toBeVisible({ timeout: 20_000 });
    await expect(drafts(page)).toHaveCount(1, { timeout: DRAFT_TIMEOUT });
    await expect(drafts(page).first()).toHaveAccessibleName(/^Drafted automatically · /);
    await expect(drafts(page).first().getByRole('button', { name: /^Source 1: / })).toBeVisible();
    await expectAccessible(page, 'conversation with an automatic draft');
    await screenshot(page, 'ai-automatic-draft');

    // Off: the customer writes again; no draft, and no Bedrock call, however long one waits.
    await setAutomation(false);
    const before = await bedrockCalls();
    await asCustomer('messages', { from: phone, name: `Asha ${word}`, text: `Do you deliver on Sundays? (${word})` });
    await expect(bubbleWith(page, `Do you deliver on Sundays? (${word})`)).toBeVisible({ timeout: 20_000 });
    await page.waitForTimeout(8_000);
    await expect(drafts(page)).toHaveCount(1);
    expect(await bedrockCalls()).toBe(before);
  });
});

test('the Agent page answers a question with its sources', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, user('Operator'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agent' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agent' })).toBeVisible();
  // The review is an Admin's: no tabs for an Operator.
  await expect(page.getByRole('navigation', { name: 'Agent' })).toHaveCount(0);
  await expectAccessible(page, 'agent');

  await page.getByRole('textbox', { name: 'Your question' }).fill('What are your opening hours?');
  await page.getByRole('button', { name: 'Ask' }).click();
  const answer = page.getByRole('article', { name: 'What are your opening hours?' });
  await expect(answer).toBeVisible({ timeout: DRAFT_TIMEOUT });
  const marker = answer.getByRole('button', { name: /^Source 1: / });
  await marker.click();
  const source = answer.getByRole('group', { name: 'Answer, source 1' });
  await expect(source).toContainText('s3://wecare-knowledge-base/');
  await expect(source).toContainText(/relevance \d\.\d\d/);
  await expect(answer).toContainText(/Answered at .* in [\d.]+ m?s · \d+ sources?$/);
  await expect(page.getByRole('textbox', { name: 'Your question' })).toHaveValue('');
  await expectAccessible(page, 'agent with an answer');
  await screenshot(page, 'agent-answer');
});

test('an Admin reviews the approval and edit rates, the chart per day and the interactions', async ({ page }) => {
  test.setTimeout(60_000);
  // A decided draft, so the rates have something to say.
  const word = uniqueWord('review');
  const phone = uniqueIndianPhone();
  const contact = await seedContact({ name: `Ravi ${word}`, phone, optInWhatsApp: true });
  await asCustomer('messages', { from: phone, name: `Ravi ${word}`, text: `How much is delivery? (${word})` });
  await expect
    .poll(async () => (await callApi<{ items: StoredMessage[] }>('GET', `/contacts/${contact.contactId}/messages`)).items.length, { timeout: 20_000 })
    .toBeGreaterThan(0);
  const drafted = await callApi<Suggestion>('POST', '/ai/suggestions', { contactId: contact.contactId });
  await callApi('POST', `/ai/suggestions/${drafted.id}/approve`, {});

  await signIn(page, user('Admin'));
  await page.goto('/agent');
  const tabs = page.getByRole('navigation', { name: 'Agent' });
  await expect(tabs.getByRole('link', { name: 'Ask' })).toHaveAttribute('aria-current', 'page');
  await tabs.getByRole('link', { name: 'Interactions' }).click();
  await expect(page).toHaveURL(/\/agent\/interactions$/);
  await expect(tabs.getByRole('link', { name: 'Interactions' })).toHaveAttribute('aria-current', 'page');

  const approval = page.locator('.agent-figures__item').filter({ hasText: 'Approval rate' });
  await expect(approval.locator('.agent-figures__value')).toHaveText(/^\d+\s?%$/);
  await expect(page.locator('.agent-figures__item').filter({ hasText: 'Edit rate' }).locator('.agent-figures__value')).toHaveText(/^(\d+\s?%|—)$/);
  await expect(page.getByRole('img', { name: /^Drafts decided per day, last 30 days: \d+ drafts in total/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Feedback per day, last 30 days:/ })).toBeVisible();

  const table = page.getByRole('table', { name: 'AI interactions, newest first' });
  // The draft just decided is among the newest.
  await expect(table.getByRole('row').filter({ hasText: drafted.text.slice(0, 40) }).filter({ hasText: 'Approved' }).first()).toBeVisible();
  // The filter lives in the address: the radio is checked once the page has read it back, so
  // click and wait for that rather than `check()`, which looks right after its click.
  await page.getByRole('radio', { name: 'Drafts' }).click();
  await expect(page.getByRole('radio', { name: 'Drafts' })).toBeChecked();
  await expect(page).toHaveURL(/\?kind=suggestion$/);
  await expect(page.getByRole('table', { name: 'AI drafts, newest first' })).toBeVisible();
  await expectAccessible(page, 'agent interactions');
  await screenshot(page, 'agent-interactions');
});

test('a Viewer is offered no Agent and no drafts', async ({ page }) => {
  const word = uniqueWord('viewai');
  const phone = uniqueIndianPhone();
  const contact = await seedContact({ name: `Meera ${word}`, phone, optInWhatsApp: true });
  await asCustomer('messages', { from: phone, name: `Meera ${word}`, text: `Hi (${word})` });

  await signIn(page, user('Viewer'));
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agent' })).toHaveCount(0);
  await page.goto(`/conversations/${contact.contactId}`);
  await expect(bubbleWith(page, `Hi (${word})`)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Suggest a reply' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Reply suggestions' })).toHaveCount(0);
  await page.goto('/agent');
  await expect(page.getByText('Your role does not allow you to ask the knowledge base.')).toBeVisible();
  await expectAccessible(page, 'agent as a Viewer');
});
