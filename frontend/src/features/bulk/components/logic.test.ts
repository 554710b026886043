import { toColumns, niceCeiling } from '@/components/charts/series';
import { aTemplate } from '@/testing/fixtures';
import type { Progress } from '../api/bulk-job';
import { formatDuration, formatRate, humanize, jobTitle, plural, reasonAdvice, reasonLabel, statusView } from './bulk-text';
import { confirmationGate, mayStart, needsConfirmation, typedCount } from './confirmation';
import { segmentLine } from './ContentStep';
import { csvColumns, csvProblem, splitCsvLine } from './csv-columns';
import { scanAll, scanPlaceholders, columnVariables, listPlaceholders } from './placeholders';
import { breakdownOf, stepOfField } from './PreviewStep';
import { barSegments, outcomeCounts, percentSettled, progressSentence, settledCount, skippedTotal } from './progress';
import { passesFilters, uploadPercent } from './RecipientsStep';
import { contentErrors, dayBoundary, initialDraft, recipientErrors, requestOf, senderErrors, variableWarning, withSender, type Draft } from './wizard';

const progress = (p: Partial<Progress>): Progress => ({ total: 0, pending: 0, sent: 0, failed: 0, skipped: {}, unknown: 0, cancelled: 0, ...p });

describe('progress math', () => {
  const p = progress({ total: 100, pending: 40, sent: 50, failed: 3, skipped: { not_opted_in: 2, opted_out_by_keyword: 1 }, unknown: 1, cancelled: 3 });

  it('counts every final outcome, skipped over all reasons', () => {
    expect(skippedTotal(p)).toBe(3);
    expect(outcomeCounts(p)).toEqual({ sent: 50, failed: 3, skipped: 3, unknown: 1, cancelled: 3 });
    expect(settledCount(p)).toBe(60);
    expect(percentSettled(p)).toBe(60);
    expect(progressSentence(p)).toBe('60 of 100 settled (60 %)');
  });

  it('never says 100 % while anything is pending, and 0 % for an empty job', () => {
    expect(percentSettled(progress({ total: 1000, pending: 1, sent: 999 }))).toBe(99);
    expect(percentSettled(progress({ total: 1000, pending: 0, sent: 999, failed: 1 }))).toBe(100);
    expect(percentSettled(progress({ total: 0 }))).toBe(0);
    expect(percentSettled(progress({ total: 3, pending: 3 }))).toBe(0);
  });

  it('splits the bar by outcome in a fixed order and never overflows it', () => {
    const segments = barSegments(p);
    expect(segments.map((s) => s.outcome)).toEqual(['sent', 'failed', 'skipped', 'unknown', 'cancelled']);
    expect(segments.map((s) => s.width)).toEqual([50, 3, 3, 1, 3]);
    // Counts that (wrongly) exceed the total still fit the bar.
    const over = barSegments(progress({ total: 10, sent: 12, failed: 3 }));
    expect(over.reduce((s, x) => s + x.width, 0)).toBeCloseTo(100);
    expect(barSegments(progress({ total: 0 }))).toEqual([]);
    expect(barSegments(progress({ total: 5, pending: 5 }))).toEqual([]);
  });
});

describe('the confirmation gate', () => {
  it('asks for nothing up to 20 recipients', () => {
    expect(needsConfirmation(20)).toBe(false);
    expect(confirmationGate(20, '')).toEqual({ state: 'open' });
    expect(mayStart(confirmationGate(1, ''))).toBe(true);
  });

  it('above 20, opens only for the exact number', () => {
    expect(needsConfirmation(21)).toBe(true);
    expect(confirmationGate(21, '')).toEqual({ state: 'waiting' });
    expect(confirmationGate(21, '20')).toEqual({ state: 'mismatch', typed: '20' });
    expect(confirmationGate(21, '21')).toEqual({ state: 'confirmed' });
    expect(confirmationGate(21, ' 21 ')).toEqual({ state: 'confirmed' });
    expect(confirmationGate(1204, '1,204')).toEqual({ state: 'confirmed' });
    expect(confirmationGate(1204, '1 204')).toEqual({ state: 'confirmed' });
    expect(confirmationGate(21, '21.5').state).toBe('mismatch');
    expect(confirmationGate(21, 'twenty-one').state).toBe('mismatch');
    expect(mayStart(confirmationGate(21, '210'))).toBe(false);
    expect(mayStart(confirmationGate(21, ''))).toBe(false);
  });

  it('reads typed numbers strictly', () => {
    expect(typedCount('42')).toBe(42);
    expect(typedCount('-42')).toBeNull();
    expect(typedCount('4e2')).toBeNull();
    expect(typedCount('')).toBeNull();
    expect(typedCount('99999999999999999999')).toBeNull();
  });
});

describe('SMS segment count', () => {
  it('says segments, encoding and what one segment holds', () => {
    expect(segmentLine('')).toBe('0 segments · 0 GSM-7 characters (160 per segment)');
    expect(segmentLine('a'.repeat(160))).toBe('1 segment · 160 GSM-7 characters (160 per segment)');
    expect(segmentLine('a'.repeat(161))).toBe('2 segments · 161 GSM-7 characters (153 per segment)');
    expect(segmentLine('Hi 👋')).toBe('1 segment · 5 UCS-2 characters (70 per segment)');
    expect(segmentLine('€'.repeat(81))).toBe('2 segments · 162 GSM-7 characters (153 per segment)');
  });
});

describe('placeholders', () => {
  it('finds each name once, in order, trimmed', () => {
    expect(scanPlaceholders('Hi {{name}}, order {{ order }} for {{name}}')).toEqual({ names: ['name', 'order'], unclosed: false });
    expect(scanPlaceholders('no placeholders')).toEqual({ names: [], unclosed: false });
    expect(scanPlaceholders('Hi {{name')).toEqual({ names: [], unclosed: true });
    expect(scanAll(['{{a}}', '{{b}} {{a}}', '{{c'])).toEqual({ names: ['a', 'b'], unclosed: true });
  });

  it('tells contact fields from CSV columns', () => {
    expect(columnVariables(['name', 'order', 'email', 'city'])).toEqual(['order', 'city']);
    expect(listPlaceholders(['order'])).toBe('{{order}}');
    expect(listPlaceholders(['a', 'b', 'c'])).toBe('{{a}}, {{b}} and {{c}}');
  });
});

describe('CSV columns', () => {
  it('reads the header as the API does: any spelling of the known columns, the rest as variables', () => {
    const columns = csvColumns('\uFEFFPhone Number,Full Name,"Opt-in SMS",order,"City, State"\r\n+14155550100,Ada,yes,42,SF');
    expect(columns).toEqual({
      headers: ['Phone Number', 'Full Name', 'Opt-in SMS', 'order', 'City, State'],
      phone: 'Phone Number',
      email: null,
      name: 'Full Name',
      consent: ['Opt-in SMS'],
      variables: ['order', 'City, State'],
    });
    expect(splitCsvLine('a,"b ""quoted""",c')).toEqual(['a', 'b "quoted"', 'c']);
  });

  it('says what is wrong with a file before uploading it', () => {
    const ok = csvColumns('email,name');
    expect(csvProblem({ name: 'list.csv', size: 10 }, ok)).toBeNull();
    expect(csvProblem({ name: 'list.xlsx', size: 10 }, ok)).toMatch(/Choose a \.csv file/);
    expect(csvProblem({ name: 'list.csv', size: 0 }, ok)).toMatch(/empty/);
    expect(csvProblem({ name: 'list.csv', size: 10 }, csvColumns('name,order'))).toMatch(/neither a phone nor an email column/);
    expect(csvProblem({ name: 'list.csv', size: 10 }, csvColumns(''))).toMatch(/no header row/);
    expect(csvProblem({ name: 'big.csv', size: 50 * 1024 * 1024 }, ok)).toMatch(/larger than 20 MB/);
  });

  it('reports upload progress as a whole percentage', () => {
    expect(uploadPercent({ loaded: 0, total: 0 })).toBe(0);
    expect(uploadPercent({ loaded: 1, total: 3 })).toBe(33);
    expect(uploadPercent({ loaded: 5, total: 3 })).toBe(100);
  });
});

describe('the wizard', () => {
  const draft = (d: Partial<Draft>): Draft => ({ ...initialDraft, ...d });

  it('makes the request of each channel and recipient source', () => {
    expect(requestOf(initialDraft)).toBeNull();
    expect(
      requestOf(draft({ name: '  Diwali  ', channel: 'sms', sender: 'pool', body: 'Hi {{name}}', picked: [{ contactId: 'c-1', label: 'Ada' }] })),
    ).toEqual({
      name: 'Diwali',
      channel: 'sms',
      sender: 'pool',
      content: { type: 'text', body: 'Hi {{name}}' },
      recipients: { type: 'contacts', contactIds: ['c-1'] },
    });
    const template = requestOf(
      draft({
        channel: 'whatsapp',
        sender: 'pn',
        template: { name: 'order_update', language: 'en_US', parameters: ['{{name}}'] },
        source: 'filter',
        filter: { optedIn: true, search: '  asha ', createdFrom: '', createdTo: '' },
      }),
    );
    expect(template).toEqual({
      channel: 'whatsapp',
      sender: 'pn',
      content: { type: 'template', name: 'order_update', language: 'en_US', parameters: ['{{name}}'] },
      recipients: { type: 'filter', optedIn: true, search: 'asha' },
    });
    const withMedia = requestOf(
      draft({ channel: 'whatsapp', sender: 'pn', template: { name: 'photo', language: 'en', parameters: [], headerMediaId: 'media/k' }, picked: [{ contactId: 'c-1', label: 'A' }] }),
    );
    expect(withMedia?.content).toEqual({ type: 'template', name: 'photo', language: 'en', parameters: [], headerMedia: { s3Key: 'media/k' } });
    // No template chosen yet: no request.
    expect(requestOf(draft({ channel: 'whatsapp', sender: 'pn', picked: [{ contactId: 'c-1', label: 'A' }] }))).toBeNull();
    const email = requestOf(
      draft({ channel: 'email', sender: 'care@x', email: { subject: 'S', text: ' ', html: '<p>x</p>' }, source: 'upload', upload: { fileName: 'a.csv', uploadId: 'u-1', columns: csvColumns('email') } }),
    );
    expect(email?.content).toEqual({ type: 'email', subject: 'S', html: '<p>x</p>' });
    expect(email?.recipients).toEqual({ type: 'upload', uploadId: 'u-1' });
  });

  it('drops a template chosen for another sender when the sender changes', () => {
    const chosen = draft({ channel: 'whatsapp', sender: 'pn-1', template: { name: 't', language: 'en', parameters: [] }, templateEntry: aTemplate() });
    expect(withSender(chosen, 'whatsapp', 'pn-1')).toBe(chosen);
    expect(withSender(chosen, 'whatsapp', 'pn-2')).toMatchObject({ sender: 'pn-2', template: null, templateEntry: null });
    expect(withSender(chosen, 'sms', 'pool')).toMatchObject({ channel: 'sms', sender: 'pool', template: null });
  });

  it('turns dates into the start and end of those days', () => {
    const from = dayBoundary('2026-11-20', 'start');
    const to = dayBoundary('2026-11-20', 'end');
    expect(from && new Date(from).getHours()).toBe(0);
    expect(to && new Date(to).getHours()).toBe(23);
    expect(to && from && Date.parse(to) - Date.parse(from)).toBe(24 * 3600_000 - 1);
    expect(dayBoundary('', 'start')).toBeNull();
    const withDates = requestOf(
      draft({ channel: 'sms', sender: 's', body: 'x', source: 'filter', filter: { optedIn: false, search: '', createdFrom: '2026-11-01', createdTo: '2026-11-30' } }),
    );
    expect(withDates?.recipients).toEqual({ type: 'filter', optedIn: false, createdFrom: dayBoundary('2026-11-01', 'start'), createdTo: dayBoundary('2026-11-30', 'end') });
  });

  it('says what each step lacks', () => {
    expect(senderErrors(initialDraft)).toEqual({ channel: 'Choose the channel to send on.' });
    expect(senderErrors(draft({ channel: 'sms', sender: 's', name: 'x'.repeat(121) }))).toHaveProperty('name');
    expect(contentErrors(draft({ channel: 'sms', body: '  ' }))).toEqual({ body: 'Write the message.' });
    expect(contentErrors(draft({ channel: 'sms', body: 'a'.repeat(1601) })).body).toMatch(/1600/);
    expect(contentErrors(draft({ channel: 'sms', body: 'Hi {{name' }))).toHaveProperty('placeholders');
    expect(contentErrors(draft({ channel: 'whatsapp' }))).toEqual({ template: 'Choose an approved template.' });
    const entry = aTemplate({ header: { format: 'IMAGE' } });
    expect(
      contentErrors(draft({ channel: 'whatsapp', template: { name: 'order_update', language: 'en_US', parameters: ['{{name}}', ' '] }, templateEntry: entry })),
    ).toEqual({ parameter1: 'Fill in {{2}}.', headerMedia: 'Upload the header’s image.' });
    expect(
      contentErrors(
        draft({ channel: 'whatsapp', template: { name: 'order_update', language: 'en_US', parameters: ['{{name}}', 'A-42'], headerMediaId: 'k' }, templateEntry: entry }),
      ),
    ).toEqual({});
    expect(
      contentErrors(draft({ channel: 'whatsapp', template: { name: 'order_update', language: 'en_US', parameters: ['{{name', 'x'] }, templateEntry: aTemplate() })),
    ).toHaveProperty('placeholders');
    expect(contentErrors(draft({ channel: 'email', email: { subject: '', text: '', html: '' } }))).toEqual({
      subject: 'Write a subject.',
      text: 'Write a plain-text body, an HTML body, or both.',
    });
    expect(recipientErrors(draft({ source: 'pick' }))).toHaveProperty('picked');
    expect(recipientErrors(draft({ source: 'upload' }))).toHaveProperty('upload');
    expect(recipientErrors(draft({ source: 'filter', filter: { optedIn: true, search: '', createdFrom: '2026-11-30', createdTo: '2026-11-01' } }))).toHaveProperty(
      'createdTo',
    );
    expect(recipientErrors(draft({ source: 'filter' }))).toEqual({});
  });

  it('warns about placeholders the recipients cannot fill', () => {
    expect(variableWarning(draft({ channel: 'sms', body: 'Hi {{name}}' }))).toBeNull();
    expect(variableWarning(draft({ channel: 'sms', body: 'Order {{order}}' }))).toMatch(/only a column of a CSV can fill/);
    const upload = { fileName: 'list.csv', uploadId: 'u', columns: csvColumns('phone,order') };
    expect(variableWarning(draft({ channel: 'sms', body: 'Order {{order}}', source: 'upload', upload }))).toBeNull();
    expect(variableWarning(draft({ channel: 'sms', body: '{{order}} {{city}}', source: 'upload', upload }))).toMatch(/\{\{city\}\}, but list\.csv has no such column/);
  });

  it('filters listed contacts by consent on the channel and by creation date', () => {
    const contact = { contactId: 'c', optInWhatsApp: false, optInSms: true, optInEmail: false, createdAt: '2026-11-15T12:00:00Z' };
    const filter = { optedIn: true, search: '', createdFrom: '', createdTo: '' };
    expect(passesFilters(contact, 'sms', filter)).toBe(true);
    expect(passesFilters(contact, 'whatsapp', filter)).toBe(false);
    expect(passesFilters(contact, 'whatsapp', { ...filter, optedIn: false })).toBe(true);
    expect(passesFilters(contact, 'sms', { ...filter, createdFrom: '2026-11-16' })).toBe(false);
    expect(passesFilters(contact, 'sms', { ...filter, createdTo: '2026-11-14' })).toBe(false);
    expect(passesFilters(contact, 'sms', { ...filter, createdFrom: '2026-11-01', createdTo: '2026-11-30' })).toBe(true);
  });
});

describe('the preview', () => {
  it('puts eligible first, then the reasons that left anyone out, most first, and says it all in words', () => {
    const b = breakdownOf({ total: 120, eligible: 100, excluded: { not_opted_in: 10, deleted: 0, over_tier: 5, duplicate_in_list: 2, missing_address: 2, opted_out_by_keyword: 1 } });
    expect(b.parts.map((p) => [p.key, p.value])).toEqual([
      ['eligible', 100],
      ['not_opted_in', 10],
      ['over_tier', 5],
      ['duplicate_in_list', 2],
      ['missing_address', 2],
      ['opted_out_by_keyword', 1],
    ]);
    expect(b.label).toBe(
      '100 of 120 recipients eligible; left out: not opted in 10, over the whatsapp tier limit 5, duplicate in the list 2, no address for this channel 2, opted out by keyword (stop) 1.',
    );
    expect(breakdownOf({ total: 3, eligible: 3, excluded: {} }).label).toBe('3 of 3 recipients eligible.');
  });

  it('sends a refused field back to its step', () => {
    expect(stepOfField('content.body')).toBe('content');
    expect(stepOfField('recipients.contactIds')).toBe('recipients');
    expect(stepOfField('sender')).toBe('sender');
    expect(stepOfField('confirmedCount')).toBeNull();
  });
});

describe('words', () => {
  it('names statuses and reasons, including ones it does not know', () => {
    expect(statusView('COMPLETED_WITH_FAILURES')).toEqual({ label: 'Completed with failures', tone: 'danger' });
    expect(statusView('ARCHIVED')).toEqual({ label: 'Archived', tone: 'neutral' });
    expect(reasonLabel('outside_window_without_template')).toBe('Outside the 24-hour window');
    expect(reasonLabel('ValidationException')).toBe('ValidationException');
    expect(reasonLabel('quota_exceeded')).toBe('Quota exceeded');
    expect(reasonAdvice('not_opted_in')).toMatch(/consent/);
    expect(reasonAdvice('whatever')).toBeNull();
    expect(humanize('')).toBe('');
  });

  it('says durations, rates and counts for people', () => {
    expect(formatDuration(0)).toBe('under a second');
    expect(formatDuration(1)).toBe('1 second');
    expect(formatDuration(4.2)).toBe('5 seconds');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('unknown');
    expect(formatRate(18.46)).toBe('18 messages per second');
    expect(formatRate(2.46)).toBe('2.5 messages per second');
    expect(formatRate(1)).toBe('1 message per second');
    expect(plural(1, 'recipient')).toBe('1 recipient');
    expect(plural(1204, 'recipient')).toMatch(/^1.204 recipients$/);
    expect(jobTitle({ name: ' Diwali ', channel: 'sms', createdAt: '2026-11-20T10:00:00Z' })).toBe('Diwali');
    expect(jobTitle({ name: null, channel: 'sms', createdAt: '2026-11-20T10:00:00Z' })).toMatch(/^SMS job of /);
  });
});

describe('per-second columns', () => {
  it('fills the seconds nothing happened in', () => {
    const { columns, max, span } = toColumns([
      { at: '2026-11-20T10:00:03Z', sent: 5, failed: 1 },
      { at: '2026-11-20T10:00:00Z', sent: 10, failed: 0 },
    ]);
    expect(span).toBe(4);
    expect(columns.map((c) => [c.sent, c.failed])).toEqual([
      [10, 0],
      [0, 0],
      [0, 0],
      [5, 1],
    ]);
    expect(max).toBe(10);
  });

  it('groups a long run into at most the columns asked for, averaging per second', () => {
    const points = Array.from({ length: 600 }, (_, i) => ({ at: new Date(Date.UTC(2026, 10, 20, 10, 0, i)).toISOString(), sent: 20, failed: i < 300 ? 1 : 0 }));
    const { columns, span } = toColumns(points, 90);
    expect(span).toBe(600);
    expect(columns.length).toBeLessThanOrEqual(90);
    expect(columns.every((c) => c.sent === 20)).toBe(true);
    expect(columns.reduce((s, c) => s + c.seconds, 0)).toBe(600);
    expect(columns[0]?.seconds).toBe(7);
    expect(columns[0]?.failed).toBe(1);
    expect(columns[columns.length - 1]?.failed).toBe(0);
  });

  it('has nothing to draw without points, and rounds axis tops', () => {
    expect(toColumns([])).toEqual({ columns: [], max: 1, span: 0 });
    expect(toColumns([{ at: 'not a time', sent: 1, failed: 0 }]).columns).toEqual([]);
    expect([0.5, 1, 3, 7, 18.5, 20, 21, 140].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 20, 50, 200]);
  });
});
