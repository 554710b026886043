// A message as the API returns it (timeline items and send answers), and the conversation
// feature's query keys (the timeline, the contact, the AI reply drafts).
import * as z from 'zod/mini';

export const channels = ['whatsapp', 'sms', 'email'] as const;
export type Channel = (typeof channels)[number];

/**
 * Known statuses; others may be added by the API and are shown as they are. An outbound message is
 * `sending` while the provider call is in flight, then `sent`, `failed` (with `error`) or `unknown`
 * (it may or may not have reached the provider; a delivery status settles it). `queued` is what
 * older records say for `sent`.
 */
export const messageStatuses = ['sending', 'unknown', 'queued', 'dry_run', 'sent', 'delivered', 'read', 'failed', 'received'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const messageSchema = z.object({
  messageId: z.string().check(z.minLength(1)),
  contactId: z.string(),
  channel: z.enum(channels),
  direction: z.enum(['inbound', 'outbound']),
  status: z.union([z.enum(messageStatuses), z.string()]),
  to: z.string(),
  /** Outbound: the sender it went from (a `senderId`: phone-number id, SMS pool or identity, email address). */
  from: z.string(),
  text: z.optional(z.string()),
  subject: z.optional(z.string()),
  html: z.optional(z.string()),
  template: z.optional(
    z.object({ name: z.string(), language: z.string(), parameters: z.optional(z.array(z.string())) }),
  ),
  isTemplate: z.optional(z.boolean()),
  segments: z.optional(z.number()),
  encoding: z.optional(z.string()),
  providerMessageId: z.optional(z.string()),
  /** Why a `failed` message failed: the provider's code and words. */
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
  /** Channel-specific extras (media, location, button reply…): read with `mediaOf` and friends. */
  details: z.optional(z.record(z.string(), z.unknown())),
  /**
   * Inbound: the text reads like a request to stop messages without being a STOP keyword. Only a
   * flag for the operator: nothing changed the contact's consent.
   */
  optOutIntent: z.optional(z.boolean()),
  createdAt: z.string(),
  updatedAt: z.optional(z.string()),
});

export type Message = z.infer<typeof messageSchema>;

/** WhatsApp's 24-hour window for this contact, as the timeline reports it. */
export const windowSchema = z.union([
  z.object({ state: z.literal('open'), expiresAt: z.string() }),
  z.object({ state: z.literal('closed') }),
]);

export type ConversationWindow = z.infer<typeof windowSchema>;

export const timelinePageSchema = z.object({
  items: z.array(messageSchema),
  nextCursor: z.nullable(z.string()),
  window: windowSchema,
});

export type TimelinePage = z.infer<typeof timelinePageSchema>;

// Absent fields may come as null (an outbound file sent without a name has `"filename": null`).
const mediaSchema = z.object({
  mimeType: z.nullish(z.string()),
  size: z.nullish(z.number()),
  s3Key: z.nullish(z.string()),
  /** A short-lived presigned GET URL (about five minutes), when the API provides one. */
  url: z.nullish(z.string()),
  urlExpiresAt: z.nullish(z.string()),
  filename: z.nullish(z.string()),
});

export type Media = z.infer<typeof mediaSchema>;

/** The media a message carries, if any and if it has the documented shape. */
export function mediaOf(message: Pick<Message, 'details'>): Media | null {
  const parsed = mediaSchema.safeParse(message.details?.media);
  return message.details?.media !== undefined && parsed.success ? parsed.data : null;
}

export const TIMELINE_PAGE_SIZE = 30;
/** How often an open conversation asks for news (new messages, delivery statuses). */
export const TIMELINE_REFRESH_MS = 3_000;

export const conversationKeys = {
  all: ['conversation'] as const,
  timeline: (contactId: string) => [...conversationKeys.all, 'timeline', contactId] as const,
  contact: (contactId: string) => [...conversationKeys.all, 'contact', contactId] as const,
  suggestions: (contactId: string) => [...conversationKeys.all, 'suggestions', contactId] as const,
};
