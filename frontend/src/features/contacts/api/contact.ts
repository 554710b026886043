// The Contact resource as the API returns it, and the query keys of the contacts feature.
import * as z from 'zod/mini';
import { CONTACTS_KEY } from '@/lib/contacts-cache';

export const channels = ['whatsapp', 'sms', 'email'] as const;
export type Channel = (typeof channels)[number];

export const consentChangeSchema = z.object({
  channel: z.enum(channels),
  optedIn: z.boolean(),
  /** The user id of the operator, or whoever the source names (the contact for inbound). */
  by: z.string(),
  at: z.string(),
  source: z.union([z.enum(['operator', 'inbound_keyword', 'import', 'inbound']), z.string()]),
});

export type ConsentChange = z.infer<typeof consentChangeSchema>;

export const contactSchema = z.object({
  contactId: z.string().check(z.minLength(1)),
  tenantId: z.string(),
  name: z.optional(z.string()),
  phone: z.optional(z.string()),
  email: z.optional(z.string()),
  /** WhatsApp's business-scoped user id, for someone who wrote in without showing a number. */
  whatsappUserId: z.optional(z.string()),
  optInWhatsApp: z.boolean(),
  optInSms: z.boolean(),
  optInEmail: z.boolean(),
  consentHistory: z.array(consentChangeSchema),
  lastInboundMessageAt: z.optional(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});

export type Contact = z.infer<typeof contactSchema>;

export const contactPageSchema = z.object({
  items: z.array(contactSchema),
  nextCursor: z.nullable(z.string()),
});

export type ContactPage = z.infer<typeof contactPageSchema>;

/** The opt-in flag of each channel on a Contact. */
export const optInField = {
  whatsapp: 'optInWhatsApp',
  sms: 'optInSms',
  email: 'optInEmail',
} as const satisfies Record<Channel, keyof Contact>;

export const PAGE_SIZE = 25;

export const contactKeys = {
  all: CONTACTS_KEY,
  lists: () => [...contactKeys.all, 'list'] as const,
  list: () => [...contactKeys.lists(), 'newest'] as const,
  search: (q: string) => [...contactKeys.lists(), 'search', q] as const,
  detail: (contactId: string) => [...contactKeys.all, 'detail', contactId] as const,
};
