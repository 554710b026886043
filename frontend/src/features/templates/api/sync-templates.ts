// POST /api/whatsapp/templates/sync {sender?} → {syncedAt, count}: fetch the business account's
// templates from WhatsApp now (Operator, Admin). The catalogue is refreshed afterwards.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { templateKeys } from '@/lib/whatsapp-templates';
import { senderField } from './keys';

export const syncResultSchema = z.object({ syncedAt: z.string(), count: z.number() });

export type SyncResult = z.infer<typeof syncResultSchema>;

export function syncTemplates(api: ApiClient, sender: string | undefined): Promise<SyncResult> {
  return api.post('/whatsapp/templates/sync', senderField(sender), syncResultSchema);
}

export function useSyncTemplates(sender: string | undefined) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => syncTemplates(api, sender),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templateKeys.catalogues() }),
  });
}
