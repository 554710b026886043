// The inbox, a conversation and the composer, against the local stack: sends go through the real
// outbound functions to the provider sandbox, and the sandbox plays the customer (inbound
// messages and delivery statuses arrive through SNS and the inbound handler, as in AWS). The
// tenant `wecare` has two WhatsApp numbers, one SMS sender and one email sender; the tests that
// make the sandbox fail run alone (the `-exclusive-` lock), since its faults are global.
import { crc32, deflateSync } from 'node:zlib';
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  asCustomer,
  callApi,
  clearSandboxFaults,
  expectAccessible,
  expectNoHorizontalScroll,
  injectSandboxFault,
  sandboxLedger,
  screenshot,
  seedContact,
  signIn,
  uniqueIndianPhone,
  uniquePhone,
  uniqueWord,
  user,
} from './support';

interface StoredMessage {
  messageId: string;
  direction: 'inbound' | 'outbound';
  text?: string;
  providerMessageId?: string;
  status: string;
  /** Outbound: the sender id it went from. */
  from: string;
  error?: { code: string; message: string };
}

interface Sender {
  senderId: string;
  channel: string;
  label: string;
  default?: boolean;
}

/** The local stack's WhatsApp numbers of tenant `wecare`. */
const WHATSAPP_DEFAULT = { senderId: 'phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9', label: '+91 93309 94400' };
const WHATSAPP_OTHER = { senderId: 'phone-number-id-f9e8d7c6b5a40392817f6e5d4c3b2a10', label: '+91 99033 00044' };

const UNKNOWN_DETAIL =
  'We could not confirm whether the provider accepted this message. It will update if a delivery status arrives; check before sending it again.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The stored messages of a contact with this text (the API's view, not the page's). */
async function storedWith(contactId: string, text: string): Promise<StoredMessage[]> {
  const { items } = await callApi<{ items: StoredMessage[] }>('GET', `/contacts/${contactId}/messages?limit=100`);
  return items.filter((m) => m.direction === 'outbound' && m.text === text);
}

/** The provider calls of `operation` that carried `text` (every test shares the sandbox's ledger). */
async function providerCallsWith(operation: string, text: string) {
  return (await sandboxLedger()).filter((e) => e.operation === operation && JSON.stringify(e.request).includes(text));
}

/** The message bubbles of the open conversation, oldest first. */
const bubbles = (page: Page) => page.getByRole('list', { name: 'Messages, oldest first' }).locator('.bubble');
const bubbleWith = (page: Page, text: string) => bubbles(page).filter({ hasText: text });
const statusOf = (bubble: Locator) => bubble.locator('.message-status');

/** A real PNG of `width` × `height` pixels (a colour gradient), made here rather than kept as a file. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // 8 bits per channel
  header.writeUInt8(2, 9); // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1); // each row starts with filter type 0
    for (let x = 0; x < width; x += 1) {
      rows.writeUInt8(Math.round((x / width) * 255), row + 1 + x * 3);
      rows.writeUInt8(Math.round((y / height) * 255), row + 2 + x * 3);
      rows.writeUInt8(160, row + 3 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

interface InboxRow {
  contactId: string;
  unreadCount: number;
  lastMessage: { text?: string; status: string };
}

/** Turns a channel's consent on from the contact's page (the way an operator does it). */
async function optIn(page: Page, channel: 'WhatsApp' | 'SMS' | 'Email'): Promise<void> {
  const toggle = page.getByRole('switch', { name: `${channel} opt-in` });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
}

test('a Viewer reads a conversation but gets no composer', async ({ page }) => {
  const word = uniqueWord('viewconv');
  const contact = await seedContact({ name: `Read ${word}`, phone: uniquePhone(), optInSms: true });
  await callApi('POST', '/messages/sms', { contactId: contact.contactId, text: `Your code is ${word}` });

  await signIn(page, user('Viewer'));
  await page.goto(`/conversations/${contact.contactId}`);
  await expect(page.getByRole('heading', { level: 1, name: `Read ${word}` })).toBeVisible();
  const sms = bubbleWith(page, `Your code is ${word}`);
  await expect(sms).toBeVisible();
  await expect(sms.getByRole('img', { name: 'SMS' })).toBeVisible();
  await expect(page.getByText('WhatsApp window closed')).toBeVisible();

  await expect(page.getByRole('region', { name: 'New message' })).toHaveCount(0);
  await expect(page.getByRole('textbox')).toHaveCount(0);
  await expect(page.getByRole('radio')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Send/ })).toHaveCount(0);
  await expect(page.getByText('Your role can read conversations but not send messages.')).toBeVisible();
  await expectAccessible(page, 'conversation as a Viewer');
  await screenshot(page, 'conversation-viewer');
});

test('an Operator writes to a new contact: a template outside the window, then an SMS with its segment count', async ({ page }) => {
  const word = uniqueWord('compose');
  const name = `Ravi ${word}`;
  await signIn(page, user('Operator'));
  await page.getByRole('link', { name: 'New contact' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Phone').fill(uniquePhone());
  await page.getByRole('button', { name: 'Create contact' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await optIn(page, 'WhatsApp');

  await page.getByRole('link', { name: 'Conversation' }).click();
  await expect(page).toHaveURL(/\/conversations\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('No messages yet.')).toBeVisible();
  // Nobody has written in: the window is closed and only a template can go.
  await expect(page.getByText('WhatsApp window closed')).toBeVisible();
  await expect(page.getByRole('radio', { name: 'WhatsApp' })).toBeChecked();
  await expect(page.getByRole('radio', { name: 'Email' })).toHaveCount(0);
  const freeForm = page.getByRole('textbox', { name: 'Message' });
  await expect(freeForm).toBeDisabled();
  await expect(page.getByText(/Free-form text is not possible now/)).toBeVisible();
  // The account's approved templates are offered; a rejected one cannot be chosen.
  await expect(page.getByRole('button', { name: 'Use order_update (en_US)' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Use summer_sale (en_US)' })).toBeDisabled();
  await expectAccessible(page, 'conversation with the window closed');
  await screenshot(page, 'conversation-template');

  await page.getByRole('button', { name: 'Use order_update (en_US)' }).click();
  await page.getByRole('textbox', { name: '{{1}}' }).fill(word);
  await page.getByRole('textbox', { name: '{{2}}' }).fill('#42');
  await page.getByRole('button', { name: 'Send template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  const template = bubbleWith(page, 'order_update');
  await expect(template).toContainText(`Template order_update (en_US) · ${word}`);
  await expect(statusOf(template)).toContainText('Sent');

  // SMS is offered (the contact has a phone) but locked until they opt in.
  await page.getByRole('radio', { name: 'SMS' }).check();
  await expect(page.getByText(`${name} has not opted in to SMS messages`)).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await page.getByRole('link', { name: 'Record their consent on the contact’s page' }).click();
  await optIn(page, 'SMS');
  await page.getByRole('link', { name: 'Conversation' }).click();

  await page.getByRole('radio', { name: 'SMS' }).check();
  const sms = page.getByRole('textbox', { name: 'Message' });
  const count = page.getByTestId('sms-count');
  await expect(count).toHaveText('0 segments · 0 GSM-7 characters (160 per segment)');
  await sms.fill('a'.repeat(160));
  await expect(count).toHaveText('1 segment · 160 GSM-7 characters (160 per segment)');
  await sms.press('End');
  await sms.pressSequentially('€');
  await expect(count).toHaveText('2 segments · 162 GSM-7 characters (153 per segment)');
  const text = `Your order ${word} ships today 🚚`;
  await sms.fill(text);
  await expect(count).toHaveText(`1 segment · ${text.length} UCS-2 characters (70 per segment)`);
  await expectAccessible(page, 'composer with an SMS');
  await screenshot(page, 'conversation-sms');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  await expect(sms).toHaveValue('');

  const sent = bubbleWith(page, text);
  await expect(sent).toBeVisible();
  await expect(sent.getByRole('img', { name: 'SMS' })).toBeVisible();
  await expect(statusOf(sent)).toContainText(/Queued|Sent|Delivered/);
  // Newest at the bottom.
  await expect(bubbles(page).last()).toContainText(text);
  await screenshot(page, 'conversation-sent');
});

test('an inbound WhatsApp message shows in the inbox; the reply is delivered, then read', async ({ page }) => {
  // Two pollers (inbox 5 s, conversation 3 s) and two round trips through SNS.
  test.setTimeout(60_000);
  const word = uniqueWord('inbound');
  const name = `Meera ${word}`;
  const phone = uniqueIndianPhone();
  await asCustomer('messages', { from: phone, name, text: 'hi' });

  await signIn(page, user('Operator'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  // The inbox polls: the message shows up without a reload.
  const row = page.getByRole('list', { name: 'Conversations, latest first' }).getByRole('link', { name: new RegExp(name) });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText('hi');
  await expect(row.locator('.badge')).toHaveText('1 unread');
  await expect(row.getByRole('img', { name: 'WhatsApp' })).toBeVisible();
  await expect(row).toContainText(/WhatsApp window open · 2[34] h/);
  await expectAccessible(page, 'inbox');
  await screenshot(page, 'inbox');

  await row.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const contactId = new URL(page.url()).pathname.split('/').pop() ?? '';
  // Opening the conversation marks it read: the badge is gone from the inbox, and from the API.
  await expect(bubbleWith(page, 'hi')).toBeVisible();
  await expect
    .poll(async () => {
      const { items } = await callApi<{ items: InboxRow[] }>('GET', '/conversations?limit=100');
      return items.find((c) => c.contactId === contactId)?.unreadCount;
    })
    .toBe(0);
  await page.getByRole('link', { name: '← Inbox' }).click();
  await expect(row).toBeVisible();
  await expect(row.locator('.badge')).toHaveCount(0);
  await expect(row).toContainText('hi');
  await screenshot(page, 'inbox-read');
  await row.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const hi = bubbleWith(page, 'hi');
  await expect(hi).toHaveClass(/bubble--inbound/);
  await expect(hi).toContainText(`${name} wrote`);
  await expect(page.getByText(/^WhatsApp window open · 2[34] h/)).toBeVisible();
  await expect(page.getByText(/free-form messages until/)).toBeVisible();

  // Writing in is not consent: the operator records the opt-in first.
  await expect(page.getByText(`${name} has not opted in to WhatsApp messages`)).toBeVisible();
  await page.getByRole('link', { name: 'Record their consent on the contact’s page' }).click();
  await optIn(page, 'WhatsApp');
  await page.getByRole('link', { name: 'Conversation' }).click();

  const reply = `Hello ${word}, how can we help?`;
  const box = page.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeEnabled();
  await box.fill(reply);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  const sent = bubbleWith(page, reply);
  await expect(sent).toHaveClass(/bubble--outbound/);
  await expect(statusOf(sent)).toHaveText('✓Sent');

  const { items } = await callApi<{ items: StoredMessage[] }>('GET', `/contacts/${contactId}/messages`);
  const providerMessageId = items.find((m) => m.direction === 'outbound' && m.text === reply)?.providerMessageId;
  expect(providerMessageId, 'the sent message has the provider’s id').toBeTruthy();

  // The page polls: the ticks advance without a reload.
  await asCustomer('statuses', { messageId: providerMessageId, status: 'delivered' });
  await expect(statusOf(sent)).toHaveText('✓✓Delivered', { timeout: 15_000 });

  // The inbox shows the reply with its ticks, and follows the statuses too.
  await page.getByRole('link', { name: '← Inbox' }).click();
  await expect(row).toContainText(`You: ${reply}`);
  const rowStatus = row.locator('.message-status');
  await expect(rowStatus).toHaveText('✓✓Delivered');
  await expect(row.locator('.badge')).toHaveCount(0);
  await asCustomer('statuses', { messageId: providerMessageId, status: 'read' });
  await expect(rowStatus).toHaveText('✓✓Read', { timeout: 15_000 });
  await expect(rowStatus).toHaveClass(/message-status--read/);
  await expect(rowStatus).toHaveAttribute('title', 'Read');
  await expectAccessible(page, 'inbox with ticks');
  await screenshot(page, 'inbox-ticks');

  await row.click();
  await expect(statusOf(sent)).toHaveText('✓✓Read', { timeout: 15_000 });
  await expect(statusOf(sent)).toHaveClass(/message-status--read/);
  await expectAccessible(page, 'conversation');
  await screenshot(page, 'conversation');
});

test('inbound media shows as the API offers it: inline when it has a URL, else said to be unavailable', async ({ page }) => {
  const word = uniqueWord('media');
  const name = `Photo ${word}`;
  await asCustomer('messages', { from: uniqueIndianPhone(), name, type: 'image', caption: `parcel ${word}` });
  await signIn(page, user('Viewer'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
  const row = page.getByRole('link', { name: new RegExp(name) });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText(`parcel ${word}`);
  await row.click();
  const photo = bubbleWith(page, `parcel ${word}`);
  await expect(photo).toHaveClass(/bubble--inbound/);

  // What the timeline carries decides what the console must show.
  const contactId = new URL(page.url()).pathname.split('/').pop() ?? '';
  const { items } = await callApi<{ items: (StoredMessage & { details?: { media?: { mimeType?: string; url?: string } } })[] }>(
    'GET',
    `/contacts/${contactId}/messages`,
  );
  const media = items.find((m) => m.text === `parcel ${word}`)?.details?.media;
  expect(media?.mimeType).toBe('image/jpeg');
  if (media?.url) {
    const image = photo.getByRole('img', { name: `Photo from ${name}: parcel ${word}` });
    await expect(image).toBeVisible();
    // The presigned URL really serves the file.
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  } else {
    await expect(photo.locator('.bubble__media')).toHaveText(/^Photo · media not available \(image\/jpeg, \d+ B\)$/);
    await expect(photo.getByRole('img', { name: /^Photo from/ })).toHaveCount(0);
  }
  await expectAccessible(page, 'conversation with media');
  await screenshot(page, 'conversation-media');
});

test('an Operator sends a photo inside the window: checked at once, uploaded to the bucket, shown inline', async ({ page }) => {
  test.setTimeout(45_000);
  const word = uniqueWord('attach');
  const name = `Asha ${word}`;
  const phone = uniqueIndianPhone();
  const contact = await seedContact({ name, phone, optInWhatsApp: true });
  // The customer writes first: the window is open, so a file may go.
  await asCustomer('messages', { from: phone, name, text: `hello ${word}` });

  await signIn(page, user('Operator'));
  await page.goto(`/conversations/${contact.contactId}`);
  await expect(bubbleWith(page, `hello ${word}`)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/^WhatsApp window open · 2[34] h/)).toBeVisible();
  // As a person does it: on the visible label.
  await page.getByText('Photo or file', { exact: true }).click();
  await expect(page.getByRole('radio', { name: 'Photo or file' })).toBeChecked();
  const file = page.getByLabel('File', { exact: true });

  // What WhatsApp would refuse is refused here, in words, before anything is uploaded.
  await file.setInputFiles({ name: 'cat.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
  await expect(page.getByText('“cat.gif” cannot be sent on WhatsApp: files of type image/gif are not accepted.', { exact: false })).toBeVisible();
  await expect(file).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'composer with a refused file');
  await screenshot(page, 'conversation-file-refused');

  const image = png(48, 32);
  const fileName = `parcel-${word}.png`;
  await file.setInputFiles({ name: fileName, mimeType: 'image/png', buffer: image });
  await expect(page.getByText(fileName)).toBeVisible();
  await expect(page.getByText(/^ · [\d.]+ KB · Photo$/)).toBeVisible();
  await page.getByRole('textbox', { name: 'Caption (optional)' }).fill(`Your parcel ${word}`);
  await expectAccessible(page, 'composer with a file');
  await screenshot(page, 'conversation-file');

  // Upload URL from the API, PUT straight to the media bucket (another origin: CORS), then send.
  const put = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(fileName));
  await page.getByRole('button', { name: 'Send file' }).click();
  expect((await put).status()).toBe(200);
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  await expect(page.getByText(fileName)).toHaveCount(0);

  const sent = bubbleWith(page, `Your parcel ${word}`);
  await expect(sent).toHaveClass(/bubble--outbound/);
  await expect(statusOf(sent)).toContainText(/Queued|Sent|Delivered/);
  const shown = sent.getByRole('img', { name: `Photo from you: Your parcel ${word}` });
  await expect(shown).toBeVisible();
  // The presigned GET serves the bytes just uploaded.
  await expect.poll(() => shown.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBe(48);
  await expectAccessible(page, 'conversation with a sent photo');
  await screenshot(page, 'conversation-file-sent');
});

/**
 * A contact who has just written on WhatsApp (so the window is open), with their conversation
 * open for an Operator.
 */
async function openConversationWithWindow(page: Page, prefix: string) {
  const word = uniqueWord(prefix);
  const name = `Window ${word}`;
  const phone = uniqueIndianPhone();
  const contact = await seedContact({ name, phone, optInWhatsApp: true });
  await asCustomer('messages', { from: phone, name, text: `hello ${word}` });
  await signIn(page, user('Operator'));
  await page.goto(`/conversations/${contact.contactId}`);
  await expect(bubbleWith(page, `hello ${word}`)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/^WhatsApp window open · 2[34] h/)).toBeVisible();
  return { contact, word, name };
}

test('the composer preselects the default WhatsApp number and says what each channel sends from', async ({ page }) => {
  const { items: senders } = await callApi<{ items: Sender[] }>('GET', '/senders');
  expect(
    senders.filter((s) => s.channel === 'whatsapp').map(({ senderId, label, default: isDefault }) => ({ senderId, label, default: isDefault })),
    'the local stack gives tenant wecare two WhatsApp numbers',
  ).toEqual([
    { ...WHATSAPP_DEFAULT, default: true },
    { ...WHATSAPP_OTHER, default: false },
  ]);
  const sms = senders.find((s) => s.channel === 'sms');
  const email = senders.find((s) => s.channel === 'email');
  expect(sms, 'tenant wecare has an SMS sender').toBeDefined();
  expect(email, 'tenant wecare has an email sender').toBeDefined();

  const word = uniqueWord('defaultsender');
  const name = `Default ${word}`;
  const contact = await seedContact({
    name,
    phone: uniquePhone(),
    email: `${word}@example.com`,
    optInWhatsApp: true,
    optInSms: true,
    optInEmail: true,
  });
  await signIn(page, user('Operator'));
  await page.goto(`/conversations/${contact.contactId}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'WhatsApp' })).toBeChecked();

  const from = page.getByRole('combobox', { name: 'From' });
  await expect(from).toHaveValue(WHATSAPP_DEFAULT.senderId);
  await expect(from.getByRole('option')).toHaveText([`${WHATSAPP_DEFAULT.label} (default)`, WHATSAPP_OTHER.label]);
  await expect(page.getByText(`From ${WHATSAPP_DEFAULT.label}`, { exact: true })).toBeVisible();
  const sendTemplate = page.getByRole('button', { name: 'Send template' });
  await expect(sendTemplate).toHaveAccessibleDescription(`From ${WHATSAPP_DEFAULT.label}`);
  await expectAccessible(page, 'composer with two WhatsApp numbers');
  await screenshot(page, 'conversation-senders');

  // Sent as preselected: from the default number.
  await page.getByRole('button', { name: 'Use order_update (en_US)' }).click();
  await page.getByRole('textbox', { name: '{{1}}' }).fill(word);
  await page.getByRole('textbox', { name: '{{2}}' }).fill('#42');
  await sendTemplate.click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  const template = bubbleWith(page, word);
  await expect(template.locator('.bubble__from')).toHaveText(`from ${WHATSAPP_DEFAULT.label}`);
  const { items } = await callApi<{ items: StoredMessage[] }>('GET', `/contacts/${contact.contactId}/messages`);
  expect(items.find((m) => m.direction === 'outbound')?.from).toBe(WHATSAPP_DEFAULT.senderId);

  // SMS and email have one sender each: said, with nothing to choose.
  await page.getByRole('radio', { name: 'SMS' }).check();
  await expect(page.getByRole('combobox', { name: 'From' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toHaveAccessibleDescription(`From ${sms?.label ?? ''}`);
  await page.getByRole('radio', { name: 'Email' }).check();
  await expect(page.getByRole('combobox', { name: 'From' })).toHaveCount(0);
  await expect(page.getByText(`From ${email?.label ?? ''}`, { exact: true })).toBeVisible();
  await expectAccessible(page, 'composer with one email sender');
});

test('an Operator picks the second WhatsApp number: the message goes from it, and the timeline says so', async ({ page }) => {
  test.setTimeout(45_000);
  const { contact, word } = await openConversationWithWindow(page, 'othernumber');
  const from = page.getByRole('combobox', { name: 'From' });
  await expect(from).toHaveValue(WHATSAPP_DEFAULT.senderId);
  await from.selectOption({ label: WHATSAPP_OTHER.label });
  await expect(page.getByText(`From ${WHATSAPP_OTHER.label}`, { exact: true })).toBeVisible();

  const text = `From the other number ${word}`;
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  const send = page.getByRole('button', { name: 'Send', exact: true });
  await expect(send).toHaveAccessibleDescription(`From ${WHATSAPP_OTHER.label}`);
  await send.click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  const sent = bubbleWith(page, text);
  await expect(sent).toHaveClass(/bubble--outbound/);
  await expect(sent.locator('.bubble__from')).toHaveText(`from ${WHATSAPP_OTHER.label}`);
  await expect(statusOf(sent)).toHaveText('✓Sent');
  // The choice stays for the next message.
  await expect(from).toHaveValue(WHATSAPP_OTHER.senderId);

  // The API recorded it, and the provider was asked, from that number.
  const [stored] = await storedWith(contact.contactId, text);
  expect(stored?.from).toBe(WHATSAPP_OTHER.senderId);
  const calls = await providerCallsWith('SendWhatsAppMessage', text);
  expect(calls).toHaveLength(1);
  expect(String(calls[0]?.request.originationPhoneNumberId)).toContain(WHATSAPP_OTHER.senderId);

  // Named from what is stored, not from the composer: still there after a reload.
  await page.reload();
  await expect(bubbleWith(page, text).locator('.bubble__from')).toHaveText(`from ${WHATSAPP_OTHER.label}`);
  await expect(bubbleWith(page, `hello ${word}`).locator('.bubble__from')).toHaveCount(0);
  await expectAccessible(page, 'conversation sent from the second number');
  await screenshot(page, 'conversation-second-number');
});

test('an answer lost on the way back is not sent twice when Send is pressed again', async ({ page }) => {
  const word = uniqueWord('lostanswer');
  const contact = await seedContact({ name: `Lost ${word}`, phone: uniquePhone(), optInSms: true });
  await signIn(page, user('Operator'));
  await page.goto(`/conversations/${contact.contactId}`);
  await page.getByRole('radio', { name: 'SMS' }).check();
  const text = `Your code is ${word}`;
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);

  const keys: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/messages/sms') {
      keys.push(request.headers()['idempotency-key'] ?? '');
    }
  });
  // The API gets the first request and sends; its answer never reaches the browser.
  await page.route(
    '**/api/messages/sms',
    async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    },
    { times: 1 },
  );
  const send = page.getByRole('button', { name: 'Send', exact: true });
  await send.click();
  const alert = page.getByRole('alert');
  // The API sends before the answer is lost: under a loaded CI machine that can take a while.
  await expect(alert).toContainText('Cannot reach the server, so it is not known whether the message went.', { timeout: 20_000 });
  await expect(alert).toContainText('Press Send again without changing the message: it will not be sent twice.', { ignoreCase: true });
  await expect(box).toHaveValue(text);
  await expectAccessible(page, 'composer after a lost answer');

  await send.click();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  expect(keys).toHaveLength(2);
  expect(keys[0]).toMatch(UUID);
  expect(keys[1]).toBe(keys[0]);
  await expect(bubbleWith(page, text)).toHaveCount(1);
  expect(await storedWith(contact.contactId, text)).toHaveLength(1);
  expect(await providerCallsWith('SendTextMessage', text)).toHaveLength(1);
});

test('a double click on Send sends one message', async ({ page }) => {
  const word = uniqueWord('dblclick');
  const contact = await seedContact({ name: `Twice ${word}`, phone: uniquePhone(), optInSms: true });
  await signIn(page, user('Operator'));
  await page.goto(`/conversations/${contact.contactId}`);
  await page.getByRole('radio', { name: 'SMS' }).check();
  const text = `Only once ${word}`;
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
  await expect(bubbleWith(page, text)).toHaveCount(1);
  // Nor did the second click post the emptied draft.
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await storedWith(contact.contactId, text)).toHaveLength(1);
  expect(await providerCallsWith('SendTextMessage', text)).toHaveLength(1);
});

test.describe('when the provider fails', { lock: '-exclusive-' }, () => {
  test.afterEach(async () => {
    await clearSandboxFaults();
  });

  test('a send the provider may or may not have taken shows "Delivery unknown", and what that means', async ({ page }) => {
    test.setTimeout(45_000);
    const { contact, word } = await openConversationWithWindow(page, 'unknown');
    const text = `Did this arrive ${word}?`;
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill(text);
    await injectSandboxFault({ operation: 'SendWhatsAppMessage', count: 1, mode: 'drop' });
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    // The composer says so at once (the API answered 202 `unknown`), and the draft is done with.
    await expect(page.getByRole('status').filter({ hasText: 'Delivery unknown.' })).toHaveText(`Delivery unknown. ${UNKNOWN_DETAIL}`);
    await expect(box).toHaveValue('');
    const sent = bubbleWith(page, text);
    await expect(sent).toHaveClass(/bubble--unknown/);
    await expect(sent.locator('.bubble__warning')).toHaveText(`Delivery unknown. ${UNKNOWN_DETAIL}`);
    await expect(statusOf(sent)).toHaveText('?Delivery unknown');
    await expect(statusOf(sent)).toHaveAttribute('title', `Delivery unknown. ${UNKNOWN_DETAIL}`);
    const [stored] = await storedWith(contact.contactId, text);
    expect(stored?.status).toBe('unknown');
    await expectAccessible(page, 'conversation with a delivery unknown');
    await screenshot(page, 'conversation-delivery-unknown');

    // The inbox row says it too (the words in its name, what they mean in the tooltip).
    await page.getByRole('link', { name: '← Inbox' }).click();
    const row = page.getByRole('list', { name: 'Conversations, latest first' }).getByRole('link', { name: new RegExp(word) });
    await expect(row.locator('.message-status')).toHaveText('?Delivery unknown', { timeout: 15_000 });
    await expect(row.locator('.message-status')).toHaveAttribute('title', `Delivery unknown. ${UNKNOWN_DETAIL}`);
  });

  test('a provider refusal is recorded as failed with the provider’s code; Send again sends it as a new message', async ({ page }) => {
    test.setTimeout(45_000);
    const { contact, word } = await openConversationWithWindow(page, 'refused');
    const text = `Refused once ${word}`;
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill(text);
    await injectSandboxFault({ operation: 'SendWhatsAppMessage', count: 1, status: 400, code: 'ValidationException' });
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await send.click();

    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Not sent');
    await expect(alert).toContainText('It is recorded as failed in the conversation; check the reason there');
    await expect(alert.locator('..')).toBeFocused();
    await expect(box).toHaveValue(text);
    const failed = bubbleWith(page, text);
    await expect(failed).toHaveClass(/bubble--failed/);
    const [stored] = await storedWith(contact.contactId, text);
    expect(stored?.status).toBe('failed');
    expect(stored?.error?.code).toContain('ValidationException');
    await expect(failed.locator('.bubble__error')).toContainText(`(provider code ${stored?.error?.code ?? ''})`);
    await expect(statusOf(failed)).toContainText(`Failed: ${stored?.error?.message ?? ''}`);
    await expectAccessible(page, 'conversation with a refused message');
    await screenshot(page, 'conversation-provider-refused');

    // Nothing is stuck on the recorded failure: the same draft goes again, as a new message.
    await send.click();
    await expect(page.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
    await expect(box).toHaveValue('');
    await expect(bubbleWith(page, text)).toHaveCount(2);
    expect((await storedWith(contact.contactId, text)).map((m) => m.status).sort()).toEqual(['failed', 'sent']);
  });
});

test.describe('at 320 px wide', () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test('the inbox and a conversation stay usable, by keyboard too', async ({ page }) => {
    const word = uniqueWord('narrowconv');
    const contact = await seedContact({
      name: `Narrow ${word} with a rather long name that has to wrap`,
      phone: uniquePhone(),
      email: `${word}.with.a.long.address@example.com`,
      optInSms: true,
      optInEmail: true,
    });
    await callApi('POST', '/messages/sms', {
      contactId: contact.contactId,
      text: `A long first message for ${word} that must wrap inside its bubble on a narrow screen without scrolling sideways.`,
    });

    await signIn(page, user('Operator'));
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const row = page.getByRole('link', { name: new RegExp(`Narrow ${word}`) });
    await expect(row).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'inbox at 320 px');
    await screenshot(page, 'inbox-320');

    await row.click();
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Narrow ${word}`) })).toBeVisible();
    await expect(bubbleWith(page, `A long first message for ${word}`)).toBeVisible();
    await expectNoHorizontalScroll(page);

    // Channel by keyboard: the radios move with the arrow keys.
    const sms = page.getByRole('radio', { name: 'SMS' });
    await sms.focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('radio', { name: 'Email' })).toBeChecked();
    await expect(page.getByRole('textbox', { name: 'Subject' })).toBeVisible();
    await page.keyboard.press('ArrowLeft');
    await expect(sms).toBeChecked();
    await page.keyboard.press('Tab');
    const box = page.getByRole('textbox', { name: 'Message' });
    await expect(box).toBeFocused();
    await page.keyboard.type(`Short reply ${word}`);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeFocused();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'conversation at 320 px');
    await screenshot(page, 'conversation-320');
    await page.keyboard.press('Enter');
    await expect(bubbleWith(page, `Short reply ${word}`)).toBeVisible();
    await expectNoHorizontalScroll(page);
  });
});
