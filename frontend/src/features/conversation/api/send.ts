// What the three send endpoints share. Each message the composer sends carries one
// `Idempotency-Key` (see lib/idempotency): the same for every retry of the same draft, a new one
// once the draft changes or has a definite outcome. However often Send is pressed, one request is
// in flight at a time, and once a message is sent Send does nothing until the form is edited
// (`reset`), so the second click of a double click cannot post the emptied draft. A 409
// IDEMPOTENCY_IN_PROGRESS (the same key still being processed) is asked again quietly, with the
// same key; the answer goes into the timeline at once.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError } from '@/lib/api-error';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKeys, mayHaveBeenSent } from '@/lib/idempotency';
import { SENDERS_KEY } from '@/lib/senders';
import type { Message } from './message';
import { addSentMessage, refreshAfterSend } from './timeline-cache';

/** What every send request carries besides its body. */
export interface SendOptions {
  /** One per message: the same for every retry of it. */
  idempotencyKey: string;
}

export function sendHeaders({ idempotencyKey }: SendOptions): Record<string, string> {
  return { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey };
}

/** How many times, and how far apart, a send answered IDEMPOTENCY_IN_PROGRESS is asked again. */
export const IN_PROGRESS_RETRIES = 2;
export const IN_PROGRESS_RETRY_MS = 1_000;

export function isInProgress(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'IDEMPOTENCY_IN_PROGRESS';
}

/**
 * Posts one message. `keyFor(body)` is the Idempotency-Key for the exact body about to be posted
 * (ask for it last, once the body is final: a file's body is known only after its upload).
 */
export type SendRun<Input> = (input: Input, keyFor: (body: unknown) => string) => Promise<Message>;

export function useSend<Input>(contactId: string, run: SendRun<Input>) {
  const queryClient = useQueryClient();
  const [keys] = useState(() => new IdempotencyKeys());
  // A second click can land before React re-renders the busy button: the refs see it.
  const inFlight = useRef(false);
  const sentSinceReset = useRef(false);
  const mutation = useMutation({
    mutationFn: (input: Input) => run(input, (body) => keys.keyFor(body)),
    retry: (failures, error) => isInProgress(error) && failures < IN_PROGRESS_RETRIES,
    retryDelay: IN_PROGRESS_RETRY_MS,
    onSuccess: (message) => {
      sentSinceReset.current = true;
      keys.settle();
      addSentMessage(queryClient, message);
    },
    onError: (error) => {
      if (!mayHaveBeenSent(error)) keys.settle();
      // The picker offered a sender the API does not know (any more): offer what it knows. Not
      // awaited, so the refusal is shown at once.
      if (error instanceof ApiError && error.code === 'NOT_ALLOWLISTED') void queryClient.invalidateQueries({ queryKey: SENDERS_KEY });
    },
    onSettled: () => {
      inFlight.current = false;
      return refreshAfterSend(queryClient, contactId);
    },
  });
  const mutate: typeof mutation.mutate = (...args) => {
    if (inFlight.current || sentSinceReset.current) return;
    inFlight.current = true;
    mutation.mutate(...args);
  };
  /** The form changed: forget the last answer, and let Send send again. */
  const reset = () => {
    sentSinceReset.current = false;
    mutation.reset();
  };
  return {
    ...mutation,
    mutate,
    reset,
    /** The API said the same message is still being processed; it is being asked again. */
    retrying: mutation.isPending && isInProgress(mutation.failureReason),
  };
}
