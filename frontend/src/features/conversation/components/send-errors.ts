// What a refused send means, in words an operator can act on: one sentence per API error code,
// never the raw body.
import { ApiError, describeError, fieldErrorOf, seconds } from '@/lib/api-error';
import { channelName, type MessageChannel } from '@/components/ChannelIcon';

const FIELD_LABELS: Record<string, string> = {
  text: 'The message',
  subject: 'The subject',
  html: 'The HTML body',
  'template.name': 'The template name',
  'template.language': 'The language code',
  template: 'The template',
  contactId: 'The contact',
  message: 'The message',
  mimeType: 'The file',
  size: 'The file',
  media: 'The file',
  'media.s3Key': 'The file',
  'media.caption': 'The caption',
  'media.filename': 'The file name',
};

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
  if (!(error instanceof ApiError)) return describeError(error);
  const name = channelName[channel];
  switch (error.code) {
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
      return 'This WhatsApp sender number is not on the allowlist, so nothing was sent. An administrator must add it.';
    case 'TIER_LIMIT_EXCEEDED':
      return 'The WhatsApp messaging tier’s limit of business-initiated conversations for the last 24 hours is reached. Try again later.';
    case 'VALIDATION_FAILED':
      return validationMessage(error);
    case 'PROVIDER_ERROR':
      return `${sentence(error.message || 'The provider failed to send it.')} It is recorded as failed in the conversation.`;
    case 'NOT_FOUND':
      return 'This contact does not exist or was deleted.';
    case 'FORBIDDEN':
      return 'Your role does not allow sending messages.';
    default:
      return describeError(error);
  }
}
