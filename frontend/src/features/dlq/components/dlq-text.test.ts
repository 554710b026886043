import type { DeadLetter, ReplayResult } from '../api/dead-letter';
import { replayBody } from '../api/replay';
import { depthLabel, isReplayable, outcomeSummary, outcomeView, stateView, summaryView } from './dlq-text';

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    messageId: 'm-1',
    kind: 'sns-notification',
    summary: {},
    firstFailedAt: '2026-12-02T03:30:43.271Z',
    error: null,
    attempts: 0,
    state: 'pending',
    lastError: null,
    lastAttemptAt: null,
    replayedAt: null,
    copies: 1,
    ...overrides,
  };
}

describe('summaryView', () => {
  it('says who sent an inbound message, what kind it is and how its text starts', () => {
    const view = summaryView(
      'inbound-dlq',
      letter({ summary: { messageType: 'image', sender: '+919811100001', textPreview: 'my receipt', messages: 1 } }),
    );
    expect(view).toEqual({
      title: 'Photo from +919811100001',
      details: ['“my receipt”'],
      link: null,
      how: 'Failed three times in the inbound handler',
    });
  });

  it('names delivery statuses and template decisions, and an unknown type by its name', () => {
    expect(summaryView('inbound-dlq', letter({ summary: { messageType: 'status', statuses: ['delivered', 'read'] } })).details).toEqual([
      'Statuses: delivered, read',
    ]);
    const decision = summaryView(
      'inbound-dlq',
      letter({ kind: 'lambda-on-failure', summary: { messageType: 'message_template_status_update', template: 'order_ready', language: 'en', event: 'APPROVED' } }),
    );
    expect(decision.title).toBe('Template decision');
    expect(decision.details).toEqual(['Template order_ready (en)', 'Decision: APPROVED']);
    expect(decision.how).toBe('Lambda gave up after its retries');
    expect(summaryView('inbound-dlq', letter({ summary: { messageType: 'poll' } })).title).toBe('WhatsApp poll');
  });

  it('links bulk work to its job and a failed send to its contact', () => {
    const chunk = summaryView('bulk-dlq', letter({ kind: 'chunk', summary: { jobId: 'job/1', work: 'chunk', recipients: 20 } }));
    expect(chunk.title).toBe('A chunk of 20 recipients');
    expect(chunk.details).toEqual(['Job job/1']);
    expect(chunk.link).toEqual({ to: '/bulk/job%2F1', label: 'Open the job' });
    expect(chunk.how).toBeNull();
    expect(summaryView('bulk-dlq', letter({ kind: 'sweep', summary: { jobId: 'j', work: 'sweep' } })).title).toBe('Cancellation sweep');

    const send = summaryView(
      'outbound-dlq',
      letter({ kind: 'send', summary: { contactId: 'c-1', channel: 'whatsapp', purpose: 'opt_out_confirmation', from: 'phone-number-id-1' } }),
    );
    expect(send).toEqual({
      title: 'STOP confirmation on WhatsApp',
      details: ['From phone-number-id-1'],
      link: { to: '/contacts/c-1', label: 'Open the contact' },
      how: null,
    });
  });
});

describe('stateView', () => {
  it('counts the attempts left of a waiting message and says why the last one failed', () => {
    expect(stateView(letter())).toEqual({ label: 'Waiting', tone: 'neutral', note: null });
    expect(stateView(letter({ attempts: 2, lastError: 'media could not be copied' }))).toEqual({
      label: 'Waiting',
      tone: 'warning',
      note: '3 attempts left; the last failed: media could not be copied',
    });
  });

  it('shows an abandoned message with its last error, and never lets it be selected', () => {
    const abandoned = letter({ state: 'abandoned', attempts: 5, lastError: 'boom' });
    expect(stateView(abandoned)).toMatchObject({ label: 'Abandoned', tone: 'danger', note: 'Not replayed again after 5 attempts. Last error: boom' });
    expect(isReplayable(abandoned)).toBe(false);
    expect(isReplayable(letter({ state: 'replayed' }))).toBe(true);
  });
});

describe('outcomeView', () => {
  const result = (overrides: Partial<ReplayResult>): ReplayResult => ({
    messageId: 'm-1',
    outcome: 'replayed',
    state: 'replayed',
    attempts: 1,
    error: null,
    detail: null,
    ...overrides,
  });

  it('says what each outcome means and what to do next', () => {
    expect(outcomeView(result({ detail: 'processed by the inbound handler' })).sentence).toBe(
      'Processed by the inbound handler. It has left the queue.',
    );
    expect(outcomeView(result({ outcome: 'failed', state: 'pending', attempts: 2, error: 'media x could not be copied' }))).toEqual({
      label: 'Failed',
      tone: 'danger',
      sentence: 'media x could not be copied. It stays in the queue (attempt 2 of 5): fix the cause, then replay it again.',
    });
    expect(outcomeView(result({ outcome: 'failed', state: 'abandoned', attempts: 5, error: 'boom' })).label).toBe('Failed, abandoned');
    expect(outcomeView(result({ outcome: 'abandoned', attempts: 5, error: 'boom' })).sentence).toBe(
      'Not run: it failed 5 times already (last error: boom).',
    );
    expect(outcomeView(result({ outcome: 'not-found', state: null })).sentence).toMatch(/Refresh the list/);
    expect(outcomeView(result({ outcome: 'already-replayed' })).tone).toBe('success');
  });

  it('sums the outcomes up in a line', () => {
    expect(outcomeSummary([result({}), result({ messageId: 'b' }), result({ messageId: 'c', outcome: 'failed', state: 'pending' })])).toBe(
      '2 replayed, 1 failed.',
    );
    expect(outcomeSummary([])).toMatch(/Nothing was replayed/);
  });
});

describe('replay requests', () => {
  it('name at least one and at most a hundred messages, or all', () => {
    expect(replayBody({ all: true })).toEqual({ all: true });
    expect(replayBody({ messageIds: ['a', 'b'] })).toEqual({ messageIds: ['a', 'b'] });
    expect(() => replayBody({ messageIds: [] })).toThrow(/at least one/);
    expect(() => replayBody({ messageIds: Array.from({ length: 101 }, (_, i) => String(i)) })).toThrow(/at most 100/);
  });

  it('count a queue that holds more than one look takes in as "n+"', () => {
    expect(depthLabel(3, true)).toBe('3');
    expect(depthLabel(100, false)).toBe('100+');
  });
});
