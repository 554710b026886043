// What a refused AI request means, in words an operator can act on: asking for a draft (the
// assistant busy or down, nothing to reply to yet), approving one (the send pipeline's refusals,
// with its own words), and rejecting or rating one. An approval whose outcome is not known is safe
// to ask again: the API sends a draft once however often it is approved.
import { channelName, type MessageChannel } from '@/components/ChannelIcon';
import { ApiError, describeError, fieldErrorOf, seconds } from '@/lib/api-error';

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The API's own words (the pipeline's, for a refused send), then what to do. */
function withReason(error: ApiError, advice: string): string {
  const reason = sentence(error.message);
  return reason ? `${reason} ${advice}` : advice;
}

function tryAgainIn(error: ApiError): string {
  return error.retryAfterSeconds ? `try again in ${seconds(error.retryAfterSeconds)}` : 'try again in a few seconds';
}

const UNAVAILABLE = 'The assistant is unavailable right now. Write the reply yourself below, or try again later.';
const UNKNOWN_OUTCOME =
  'It is not known whether the reply was sent. The drafts are being refreshed: if this one still says “Approval in progress”, press “Finish approving” — it will not be sent twice.';

/** Why "Suggest a reply" gave no draft. */
export function describeSuggestError(error: unknown, contactName: string): string {
  if (!(error instanceof ApiError)) return UNAVAILABLE;
  switch (error.code) {
    case 'AI_THROTTLED':
    case 'RATE_LIMITED':
      return `The AI service is busy: ${tryAgainIn(error)}.`;
    case 'NOTHING_TO_REPLY_TO':
      return `${contactName} has not sent a message yet, so there is nothing to reply to. A draft can be suggested once they write.`;
    case 'AI_UNAVAILABLE':
      return UNAVAILABLE;
    case 'NETWORK':
      return 'Cannot reach the server. Check your connection and try again; a draft made meanwhile will appear in the list.';
    case 'NOT_FOUND':
      return 'This contact does not exist or was deleted.';
    case 'FORBIDDEN':
      return 'Your role does not allow asking the assistant for drafts.';
    default:
      return error.status >= 500 ? UNAVAILABLE : describeError(error);
  }
}

/** Why approving a draft sent nothing (or may have sent it). */
export function describeApproveError(error: unknown, contactName: string, channel: MessageChannel = 'whatsapp'): string {
  if (!(error instanceof ApiError)) return UNKNOWN_OUTCOME;
  const name = channelName[channel];
  switch (error.code) {
    case 'CONFLICT':
      return 'This draft was already decided, here or by a colleague: nothing more was sent. The list now shows its outcome.';
    case 'NOT_OPTED_IN':
      return withReason(
        error,
        `Nothing was sent: ${contactName} has not opted in to ${name} messages. Record their consent on the contact’s page first; the draft stays here.`,
      );
    case 'WINDOW_CLOSED':
    case 'TEMPLATE_REQUIRED':
      return withReason(
        error,
        'Nothing was sent: the 24-hour WhatsApp window is closed, so a free-form reply cannot go. Send an approved template from the composer instead, or reject this draft.',
      );
    case 'NOT_ALLOWLISTED':
      return withReason(error, `Nothing was sent: the ${name} number is not allowed to send. Ask an Admin to check the organisation’s senders.`);
    case 'RATE_LIMITED':
      return withReason(error, `Nothing was sent: sending too fast on ${name}. The draft stays; approve it again — ${tryAgainIn(error)}.`);
    case 'TIER_LIMIT_EXCEEDED':
      return withReason(
        error,
        'Nothing was sent: the WhatsApp messaging tier’s limit of business-initiated conversations for the last 24 hours is reached. Try again later.',
      );
    case 'VALIDATION_FAILED': {
      const field = fieldErrorOf(error);
      return field?.field === 'text' ? `The edited reply ${field.message}. Shorten or correct it, then approve it again.` : sentence(error.message || 'The reply was not accepted.');
    }
    case 'NOT_FOUND':
      return 'This draft or its contact no longer exists. The list is being refreshed.';
    case 'FORBIDDEN':
      return 'Your role does not allow approving drafts.';
    case 'NETWORK':
      return `Cannot reach the server. ${UNKNOWN_OUTCOME}`;
    default:
      return error.status >= 500 ? UNKNOWN_OUTCOME : describeError(error);
  }
}

/** Why rejecting or rating a draft did not stick. */
export function describeDecisionError(error: unknown, action: 'reject' | 'rate'): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'CONFLICT':
        return action === 'reject'
          ? 'This draft was already decided or is being approved, so it cannot be rejected. The list now shows where it stands.'
          : 'This draft changed meanwhile. The list now shows where it stands; rate it again if you still want to.';
      case 'VALIDATION_FAILED': {
        const field = fieldErrorOf(error);
        const label = field?.field === 'reason' ? 'The reason' : field?.field === 'comment' ? 'The comment' : null;
        return label && field ? `${label} ${field.message}.` : sentence(error.message || 'This was not accepted.');
      }
      case 'FORBIDDEN':
        return action === 'reject' ? 'Your role does not allow rejecting drafts.' : 'Your role does not allow rating drafts.';
      case 'NOT_FOUND':
        return 'This draft no longer exists.';
      default:
        break;
    }
  }
  return `${describeError(error)}${action === 'reject' ? ' The draft was not rejected.' : ' The rating was not recorded.'}`;
}
