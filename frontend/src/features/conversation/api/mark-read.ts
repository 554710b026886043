// POST /api/conversations/{contactId}/read (no body): the conversation has been seen, so the
// inbox row's unread count goes back to 0. Allowed for every role. `changed` is false when
// nothing was unread (and nothing was written).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { inboxRowRead } from '@/lib/inbox-cache';

export const markReadSchema = z.object({
  contactId: z.string(),
  unreadCount: z.number(),
  changed: z.boolean(),
});

export type MarkReadResult = z.infer<typeof markReadSchema>;

export function markConversationRead(api: ApiClient, contactId: string): Promise<MarkReadResult> {
  return api.post(`/conversations/${encodeURIComponent(contactId)}/read`, undefined, markReadSchema);
}

export function useMarkConversationRead(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => markConversationRead(api, contactId),
    onSuccess: () => inboxRowRead(queryClient, contactId),
  });
}
