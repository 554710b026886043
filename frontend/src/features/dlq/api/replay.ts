// POST /api/dlq/{queue}/replay (Admin) with `{messageIds}` (at most 100) or `{all: true}` (the
// first 100 of the tenant's): each message is run again by its original consumer and the answer
// gives each one's outcome. The queue's listing is looked at again afterwards, whatever happened.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { dlqKeys, MAX_REPLAY, replaySchema, type DlqQueue, type Replay } from './dead-letter';

/** Which messages to replay: these ids, or all of them (up to the API's limit). */
export type ReplaySelection = { messageIds: readonly string[] } | { all: true };

export function replayBody(selection: ReplaySelection): { messageIds: string[] } | { all: true } {
  if ('all' in selection) return { all: true };
  if (selection.messageIds.length === 0) throw new Error('a replay names at least one message');
  if (selection.messageIds.length > MAX_REPLAY) throw new Error(`a replay names at most ${MAX_REPLAY} messages`);
  return { messageIds: [...selection.messageIds] };
}

export function replay(api: ApiClient, queue: DlqQueue, selection: ReplaySelection): Promise<Replay> {
  return api.post(`/dlq/${queue}/replay`, replayBody(selection), replaySchema);
}

export function useReplay(queue: DlqQueue) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (selection: ReplaySelection) => replay(api, queue, selection),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dlqKeys.listing(queue) }),
  });
}
