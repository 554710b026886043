// POST /api/ai/suggestions/{id}/feedback {rating, comment?} (Operator, Admin): thumbs up or down on
// a draft, with an optional comment (up to 1000 characters); a later rating replaces the earlier.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { storeSuggestion, suggestionSchema, type Rating, type Suggestion } from './suggestion';

export interface FeedbackInput {
  suggestionId: string;
  rating: Rating;
  /** Blank = none. */
  comment?: string;
}

export function rateSuggestion(api: ApiClient, { suggestionId, rating, comment }: FeedbackInput): Promise<Suggestion> {
  const trimmed = comment?.trim();
  return api.post(`/ai/suggestions/${encodeURIComponent(suggestionId)}/feedback`, trimmed ? { rating, comment: trimmed } : { rating }, suggestionSchema);
}

export function useRateSuggestion() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: FeedbackInput) => rateSuggestion(api, input),
    onSuccess: (suggestion) => storeSuggestion(queryClient, suggestion),
  });
}
