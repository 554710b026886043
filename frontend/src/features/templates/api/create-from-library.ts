// POST /api/whatsapp/templates/from-library (Admin) {sender?, libraryName, name, language,
// category?} → 201 {template}: a copy of a library template in the business account, under its
// own name, submitted for review like any new template.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { templateKeys, type TemplateCategory } from '@/lib/whatsapp-templates';
import { templateEnvelopeSchema } from './create-template';

export interface FromLibrary {
  sender?: string;
  libraryName: string;
  name: string;
  language: string;
  category?: TemplateCategory;
}

export async function createFromLibrary(api: ApiClient, request: FromLibrary) {
  const { template } = await api.post('/whatsapp/templates/from-library', request, templateEnvelopeSchema);
  return template;
}

export function useCreateFromLibrary() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: FromLibrary) => createFromLibrary(api, request),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templateKeys.catalogues() }),
  });
}
