// GET /api/dlq/{queue} (Admin): the tenant's messages in one dead-letter queue, with what each is
// about, when it first failed, its error and its replays so far. The messages stay in the queue.
// A look into SQS takes a second or so (it waits briefly for messages it has not seen), so the
// list is not polled: the page offers "Refresh", and a replay refreshes it.
import { useQueries, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { DLQ_QUEUES, dlqKeys, listingSchema, type DlqQueue, type Listing } from './dead-letter';

export function getDeadLetters(api: ApiClient, queue: DlqQueue, signal?: AbortSignal): Promise<Listing> {
  return api.get(`/dlq/${queue}`, listingSchema, { signal });
}

function listingQuery(api: ApiClient, queue: DlqQueue) {
  return {
    queryKey: dlqKeys.listing(queue),
    queryFn: ({ signal }: { signal: AbortSignal }) => getDeadLetters(api, queue, signal),
  };
}

/** One queue's listing. */
export function useDeadLetters(queue: DlqQueue) {
  const api = useApiClient();
  return useQuery(listingQuery(api, queue));
}

/** Every queue's listing (the same cache entries as `useDeadLetters`): what the tabs count. */
export function useAllDeadLetters() {
  const api = useApiClient();
  return useQueries({ queries: DLQ_QUEUES.map((queue) => listingQuery(api, queue)) });
}
