// GET /api/whatsapp/template-library?sender=&q= (Admin): WhatsApp's ready-made templates, which a
// business account can copy under its own name (see create-from-library).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { templateButtonSchema, templateHeaderSchema, templateVariableSchema } from '@/lib/whatsapp-templates';
import { templatesFeatureKeys } from './keys';

export const libraryItemSchema = z.object({
  libraryName: z.string().check(z.minLength(1)),
  category: z.string(),
  language: z.string(),
  header: templateHeaderSchema,
  body: z.string(),
  footer: z.nullish(z.string()),
  buttons: z._default(z.array(templateButtonSchema), []),
  variables: z._default(z.array(templateVariableSchema), []),
});

export type LibraryItem = z.infer<typeof libraryItemSchema>;

/**
 * An item as the API answers it: Meta's library gives a text header as a plain string and the
 * body's samples in order (`bodySamples`, for {{1}}, {{2}}…) rather than `variables`; both shapes
 * are read, and made a LibraryItem.
 */
const wireItemSchema = z.object({
  ...libraryItemSchema.shape,
  header: z.nullish(z.union([z.string(), z.object({ format: z.string(), text: z.nullish(z.string()) })])),
  variables: z.optional(z.array(templateVariableSchema)),
  bodySamples: z.nullish(z.array(z.string())),
});

const librarySchema = z.object({ items: z.array(wireItemSchema) });

function itemOf({ header, variables, bodySamples, ...rest }: z.infer<typeof wireItemSchema>): LibraryItem {
  return {
    ...rest,
    header: typeof header === 'string' ? (header.trim() ? { format: 'TEXT', text: header } : null) : header,
    variables: variables ?? (bodySamples ?? []).map((sample, i) => ({ name: String(i + 1), component: 'BODY', sample })),
  };
}

export async function getTemplateLibrary(api: ApiClient, sender: string | undefined, q: string, signal?: AbortSignal): Promise<LibraryItem[]> {
  const { items } = await api.get('/whatsapp/template-library', librarySchema, { query: { sender, q }, signal });
  return items.map(itemOf);
}

/** The library items matching `q` (already debounced and trimmed). */
export function useTemplateLibrary(sender: string | undefined, q: string, { enabled }: { enabled: boolean }) {
  const api = useApiClient();
  return useQuery({
    queryKey: templatesFeatureKeys.library(sender, q),
    queryFn: ({ signal }) => getTemplateLibrary(api, sender, q, signal),
    enabled,
    staleTime: 10 * 60_000,
    placeholderData: keepPreviousData,
  });
}
