import { aMessage } from '@/testing/fixtures';
import { aSuggestion } from '../api/suggestion-examples';
import { optOutCandidate } from './opt-out';

describe('optOutCandidate', () => {
  it('asks about the latest inbound message when it reads like an opt-out request, on its channel', () => {
    const asked = aMessage({ text: 'please stop messaging me', optOutIntent: true, channel: 'sms' });
    const reply = aMessage({ direction: 'outbound', status: 'sent', text: 'Sorry to hear that' });
    expect(optOutCandidate([aMessage({ text: 'hi' }), asked, reply], undefined)).toEqual({
      key: `message:${asked.messageId}`,
      channel: 'sms',
      quote: 'please stop messaging me',
    });
  });

  it('does not ask about an older message once the customer has written again', () => {
    const old = aMessage({ text: 'stop it', optOutIntent: true });
    expect(optOutCandidate([old, aMessage({ text: 'ok never mind, where is my order?' })], undefined)).toBeNull();
  });

  it('asks when the newest draft says the message it answers reads like one', () => {
    const answered = aMessage({ messageId: 'm-in-9', text: 'no more messages thanks' });
    const draft = aSuggestion({ optOutIntent: true, inReplyTo: 'm-in-9' });
    expect(optOutCandidate([answered], draft)).toEqual({ key: `suggestion:${draft.id}`, channel: 'whatsapp', quote: 'no more messages thanks' });
    // The message may be on an older page: WhatsApp, the drafts' channel, without the words.
    expect(optOutCandidate([], draft)).toEqual({ key: `suggestion:${draft.id}`, channel: 'whatsapp', quote: null });
  });

  it('asks nothing when neither says so', () => {
    expect(optOutCandidate([aMessage({ text: 'hi' })], aSuggestion())).toBeNull();
    expect(optOutCandidate([], undefined)).toBeNull();
  });
});
