// POST /api/ai/suggestions {contactId} (Operator, Admin): has the agent draft a reply to the
// contact's latest message, from the knowledge base. Drafting can take several seconds. 201 the
// draft (`suggested`); 409 NOTHING_TO_REPLY_TO (the contact has not written), 429 AI_THROTTLED,
// 502 AI_UNAVAILABLE, 404 NOT_FOUND.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { refreshSuggestions, storeSuggestion, suggestionSchema, type Suggestion } from './suggestion';

export function createSuggestion(api: ApiClient, contactId: string): Promise<Suggestion> {
  return api.post('/ai/suggestions', { contactId }, suggestionSchema);
}

export function useCreateSuggestion(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => createSuggestion(api, contactId),
    onSuccess: (suggestion) => storeSuggestion(queryClient, suggestion),
    // No answer may still have made a draft: the list says.
    onError: () => refreshSuggestions(queryClient, contactId),
  });
}
