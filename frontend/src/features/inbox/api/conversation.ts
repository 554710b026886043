// An inbox row as GET /api/conversations returns it, and the inbox feature's query keys.
import * as z from 'zod/mini';
import { INBOX_CONVERSATIONS_KEY } from '@/lib/inbox-cache';

export const channels = ['whatsapp', 'sms', 'email'] as const;

/** The parts of a message the inbox shows (the timeline has the rest). */
export const lastMessageSchema = z.object({
  messageId: z.string(),
  channel: z.enum(channels),
  direction: z.enum(['inbound', 'outbound']),
  status: z.string(),
  to: z.string(),
  from: z.string(),
  text: z.optional(z.string()),
  subject: z.optional(z.string()),
  template: z.optional(z.object({ name: z.string(), language: z.string() })),
  /** Why an outbound message failed, when it did. */
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
  details: z.optional(z.record(z.string(), z.unknown())),
  createdAt: z.string(),
});

export type LastMessage = z.infer<typeof lastMessageSchema>;

export const conversationSchema = z.object({
  contactId: z.string().check(z.minLength(1)),
  lastMessage: lastMessageSchema,
  unreadCount: z.number(),
  lastInboundAt: z.nullish(z.string()),
  /** When the contact's WhatsApp window closes; null when it is closed. */
  windowExpiresAt: z.nullish(z.string()),
  updatedAt: z.string(),
});

export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = z.object({
  items: z.array(conversationSchema),
  nextCursor: z.nullable(z.string()),
});

export type ConversationPage = z.infer<typeof conversationPageSchema>;

export const PAGE_SIZE = 25;
/** How often the inbox asks for news. */
export const REFRESH_MS = 5_000;

export const inboxKeys = {
  all: ['inbox'] as const,
  /** Shared with the conversation page, which marks rows read (see lib/inbox-cache). */
  conversations: () => INBOX_CONVERSATIONS_KEY,
  contact: (contactId: string) => [...inboxKeys.all, 'contact', contactId] as const,
};
