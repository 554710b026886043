// POST /api/ai/suggestions/{id}/reject {reason} (Operator, Admin): the draft will not be sent; the
// reason (1–500 characters) is kept with it. 409 CONFLICT: already decided, or being approved.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { refreshSuggestions, storeSuggestion, suggestionSchema, type Suggestion } from './suggestion';

export interface RejectInput {
  suggestionId: string;
  reason: string;
}

export function rejectSuggestion(api: ApiClient, { suggestionId, reason }: RejectInput): Promise<Suggestion> {
  return api.post(`/ai/suggestions/${encodeURIComponent(suggestionId)}/reject`, { reason }, suggestionSchema);
}

export function useRejectSuggestion(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: RejectInput) => rejectSuggestion(api, input),
    onSuccess: (suggestion) => storeSuggestion(queryClient, suggestion),
    onError: () => refreshSuggestions(queryClient, contactId),
  });
}
