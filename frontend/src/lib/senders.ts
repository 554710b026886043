// GET /api/senders: the WhatsApp numbers, SMS pools or identities and email addresses the signed-in
// user's organisation sends from (any role may read them). A tenant has 0, 1 or several per
// channel, at most one of them the default, which a send without `from` goes from.
//
// Several features show senders (the composer picks one, the timeline names the one a message
// went from), so the fetcher and the query key live here: one request, one cache entry, all
// channels at once.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from './api-client';
import { useApiClient } from './api-client-context';

export const senderSchema = z.object({
  /** What a send's `from` takes and a message's `from` holds (phone-number id, pool, address). */
  senderId: z.string().check(z.minLength(1)),
  /** `whatsapp`, `sms` or `email`; a channel the console does not know is kept and never offered. */
  channel: z.string(),
  /** For people: "+91 93309 94400", "Support <help@…>". */
  label: z.string(),
  default: z.optional(z.boolean()),
  ratePerSecond: z.optional(z.number()),
});

export type Sender = z.infer<typeof senderSchema>;

const sendersSchema = z.object({ items: z.array(senderSchema) });

export const SENDERS_KEY = ['senders'] as const;

/** Senders change with the deployment's configuration, not while someone writes. */
const SENDERS_STALE_MS = 10 * 60_000;

export async function getSenders(api: ApiClient, signal?: AbortSignal): Promise<Sender[]> {
  const { items } = await api.get('/senders', sendersSchema, { signal });
  return items;
}

export function useSenders() {
  const api = useApiClient();
  return useQuery({
    queryKey: SENDERS_KEY,
    queryFn: ({ signal }) => getSenders(api, signal),
    staleTime: SENDERS_STALE_MS,
  });
}

/** The senders of one channel, the default first. */
export function sendersOn(senders: readonly Sender[], channel: string): Sender[] {
  const own = senders.filter((s) => s.channel === channel);
  return [...own.filter((s) => s.default === true), ...own.filter((s) => s.default !== true)];
}

/** What a send without `from` goes from: the channel's default, else (as the API does) its first. */
export function defaultSenderOf(senders: readonly Sender[], channel: string): Sender | undefined {
  return sendersOn(senders, channel)[0];
}

/** How a sender id is shown: its label when it is one of the organisation's senders, else the id. */
export function senderName(senders: readonly Sender[] | undefined, senderId: string): string {
  const sender = senders?.find((s) => s.senderId === senderId);
  return sender?.label.trim() ? sender.label : senderId;
}
