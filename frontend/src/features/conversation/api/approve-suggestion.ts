// POST /api/ai/suggestions/{id}/approve {text?} (Operator, Admin): sends the draft — as written, or
// the edited `text` (1–4096 characters) — through the normal send pipeline, once however often it
// is asked. 200 the draft, `approved` or `edited`, with the message it sent and that message's
// status (`sent`, `dry_run`: recorded, not sent…). 409 CONFLICT: already decided. The pipeline's
// refusals keep their codes (NOT_OPTED_IN, WINDOW_CLOSED / TEMPLATE_REQUIRED, NOT_ALLOWLISTED,
// RATE_LIMITED, TIER_LIMIT_EXCEEDED) and leave the draft `suggested`.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { refreshAfterSend } from './timeline-cache';
import { refreshSuggestions, storeSuggestion, suggestionSchema, type Suggestion } from './suggestion';

export interface ApproveInput {
  suggestionId: string;
  /** The edited reply; omitted = the draft as written. */
  text?: string;
}

export function approveSuggestion(api: ApiClient, { suggestionId, text }: ApproveInput): Promise<Suggestion> {
  return api.post(`/ai/suggestions/${encodeURIComponent(suggestionId)}/approve`, text === undefined ? {} : { text }, suggestionSchema);
}

export function useApproveSuggestion(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ApproveInput) => approveSuggestion(api, input),
    onSuccess: (suggestion) => storeSuggestion(queryClient, suggestion),
    onError: () => refreshSuggestions(queryClient, contactId),
    // The sent message (once: the timeline drops repeats by id), and consent may have changed.
    onSettled: () => refreshAfterSend(queryClient, contactId),
  });
}
