// GET /api/whatsapp/template-usage?sender=&days=30: template messages sent per day and category
// (what WhatsApp charges for), for the Templates page's chart.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { templatesFeatureKeys } from './keys';

export const usageSchema = z.object({
  days: z.array(z.object({ day: z.string(), category: z.string(), count: z.number() })),
});

export type UsageDay = z.infer<typeof usageSchema>['days'][number];

export const USAGE_DAYS = 30;

export async function getTemplateUsage(api: ApiClient, sender: string | undefined, days: number, signal?: AbortSignal): Promise<UsageDay[]> {
  const usage = await api.get('/whatsapp/template-usage', usageSchema, { query: { sender, days }, signal });
  return usage.days;
}

export function useTemplateUsage(sender: string | undefined, days = USAGE_DAYS) {
  const api = useApiClient();
  return useQuery({
    queryKey: templatesFeatureKeys.usage(sender, days),
    queryFn: ({ signal }) => getTemplateUsage(api, sender, days, signal),
    staleTime: 5 * 60_000,
  });
}
