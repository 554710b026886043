// When to ask whether a message was an opt-out request: the customer's latest message reads like
// one (the API flags it on the message), or the newest draft says the message it answers does.
// Only a question for the operator: consent changes only after they confirm it.
import type { Channel, Message } from '../api/message';
import type { Suggestion } from '../api/suggestion';

export interface OptOutCandidate {
  /** What the question is about, so "Not an opt-out" sets aside this one and not the next. */
  key: string;
  /** The channel the request came on: the one to opt out of. */
  channel: Channel;
  /** The customer's words, when the page has them. */
  quote: string | null;
}

/** `messages` oldest first; `newestDraft` the first draft of the list (newest first). */
export function optOutCandidate(messages: readonly Message[], newestDraft: Suggestion | undefined): OptOutCandidate | null {
  const latestInbound = messages.findLast((m) => m.direction === 'inbound');
  if (latestInbound?.optOutIntent === true) {
    return { key: `message:${latestInbound.messageId}`, channel: latestInbound.channel, quote: latestInbound.text?.trim() || null };
  }
  if (newestDraft?.optOutIntent === true) {
    const answered = messages.find((m) => m.messageId === newestDraft.inReplyTo);
    // Drafts answer WhatsApp texts.
    return { key: `suggestion:${newestDraft.id}`, channel: answered?.channel ?? 'whatsapp', quote: answered?.text?.trim() || null };
  }
  return null;
}
