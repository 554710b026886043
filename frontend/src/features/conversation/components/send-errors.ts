// What a refused send means, in words an operator can act on: one sentence per API error code
// saying what to do next, never the raw body. Where the send may still have happened (no answer,
// a 5xx, the same message still in progress), pressing Send again is safe: the composer sends the
// same draft under the same Idempotency-Key, and the API never sends a key twice.
import { ApiError, describeError, fieldErrorOf, seconds } from '@/lib/api-error';
import { channelName, type MessageChannel } from '@/components/ChannelIcon';

const FIELD_LABELS: Record<string, string> = {
  text: 'The message',
  subject: 'The subject',
  html: 'The HTML body',
  'template.name': 'The template name',
  'template.language': 'The language code',
  template: 'The template',
  'template.parameters': 'The template’s values',
  'template.headerMedia': 'The header’s file',
  contactId: 'The contact',
  message: 'The message',
  mimeType: 'The file',
  size: 'The file',
  media: 'The file',
  'media.s3Key': 'The file',
  'media.caption': 'The caption',
  'media.filename': 'The file name',
  from: 'The sender',
};

/** The safe retry after an ambiguous outcome. */
const SEND_AGAIN_SAFELY = 'Press Send again without changing the message: it will not be sent twice.';

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** "text: must be 1-1600 characters, got 0" → "The message must be 1-1600 characters, got 0." */
function validationMessage(error: ApiError): string {
  const field = fieldErrorOf(error);
  if (!field) return sentence(error.message || 'The message was not accepted.');
  const label = FIELD_LABELS[field.field];
  if (!label) return sentence(`${field.field}: ${field.message}`);
  if (/^(is|are|must|has|was|cannot|should|can't|already)\b/.test(field.message)) return sentence(`${label} ${field.message}`);
  return sentence(field.message);
}

export function describeSendError(error: unknown, channel: MessageChannel, contactName: string): string {
  if (!(error instanceof ApiError)) return `Something went wrong, and the message may not have been sent. ${SEND_AGAIN_SAFELY}`;
  const name = channelName[channel];
  switch (error.code) {
    case 'NETWORK':
      return `Cannot reach the server, so it is not known whether the message went. Check your connection, then ${lowerFirst(SEND_AGAIN_SAFELY)}`;
    case 'IDEMPOTENCY_IN_PROGRESS':
      return `This message is still being processed. Wait a few seconds and check the conversation; if it is not there, ${lowerFirst(SEND_AGAIN_SAFELY)}`;
    case 'IDEMPOTENCY_KEY_REUSED':
      return `${sentence(error.message || 'The server matched this send to a different message')} Nothing was sent: press Send again to send it as a new message.`;
    case 'NOT_OPTED_IN':
      return `${contactName} has not opted in to ${name} messages, so nothing was sent. Record their consent on the contact's page first.`;
    case 'TEMPLATE_REQUIRED':
      return 'The 24-hour WhatsApp window is closed, so free-form text and files cannot be sent. Send an approved template instead.';
    case 'UPLOAD_FAILED':
      return `The file could not be uploaded (${error.message}), so nothing was sent. Try again.`;
    case 'RATE_LIMITED':
      return error.retryAfterSeconds
        ? `Sending too fast on ${name}. Nothing was sent; try again in ${seconds(error.retryAfterSeconds)}.`
        : `Sending too fast on ${name}. Nothing was sent; try again in a moment.`;
    case 'NOT_ALLOWLISTED':
      return `The chosen sender is not one of your organisation’s ${name} senders, so nothing was sent. Choose another in “From” (the list has been reloaded), or ask an Admin.`;
    case 'TIER_LIMIT_EXCEEDED':
      return 'The WhatsApp messaging tier’s limit of business-initiated conversations for the last 24 hours is reached. Try again later.';
    case 'VALIDATION_FAILED':
      return validationMessage(error);
    case 'PROVIDER_ERROR':
      return `${sentence(error.message || 'The provider failed to send it.')} It is recorded as failed in the conversation; check the reason there, correct what it names, then press Send to try again as a new message.`;
    case 'NOT_FOUND':
      return 'This contact does not exist or was deleted.';
    case 'FORBIDDEN':
      return 'Your role does not allow sending messages.';
    case 'INTERNAL':
    case 'BAD_RESPONSE':
      return `Something went wrong on our side, and the message may not have been sent. Wait a moment and check the conversation; if it is not there, ${lowerFirst(SEND_AGAIN_SAFELY)}`;
    default:
      return error.status >= 500
        ? `The server could not answer, and the message may not have been sent. Wait a moment and check the conversation; if it is not there, ${lowerFirst(SEND_AGAIN_SAFELY)}`
        : describeError(error);
  }
}
