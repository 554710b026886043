// POST /api/ai/query {question, contactId?} (Operator, Admin): asks the knowledge base. The answer
// comes with the passages it rests on (citations) and how long it took. 400 VALIDATION_FAILED
// (a question of 1–1000 characters), 404 NOT_FOUND (the contact), 429 AI_THROTTLED, 502
// AI_UNAVAILABLE. Every question is recorded as an interaction an Admin can review.
import { useMutation } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { citationSchema } from '@/components/citations/citation';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';

export const QUESTION_MAX = 1000;

export const answerSchema = z.object({
  interactionId: z.string().check(z.minLength(1)),
  answer: z.string(),
  citations: z.array(citationSchema),
  latencyMs: z.number(),
});

export type Answer = z.infer<typeof answerSchema>;

export interface Question {
  question: string;
  /** Asked about one contact's conversation. */
  contactId?: string;
}

export function askKnowledgeBase(api: ApiClient, question: Question): Promise<Answer> {
  return api.post('/ai/query', question, answerSchema);
}

export function useAskKnowledgeBase() {
  const api = useApiClient();
  return useMutation({ mutationFn: (question: Question) => askKnowledgeBase(api, question) });
}
