// DELETE /api/whatsapp/templates/{name}?language=&sender= (Admin) → 204: WhatsApp removes the
// template from the business account. The catalogue is refreshed afterwards (also after a 404:
// someone else deleted it first).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { templateKeys } from '@/lib/whatsapp-templates';

export interface TemplateRef {
  name: string;
  language: string;
}

export function deleteTemplatePath({ name, language }: TemplateRef, sender: string | undefined): string {
  const query = new URLSearchParams({ language });
  if (sender) query.set('sender', sender);
  return `/whatsapp/templates/${encodeURIComponent(name)}?${query.toString()}`;
}

export function deleteTemplate(api: ApiClient, template: TemplateRef, sender: string | undefined): Promise<void> {
  return api.delete(deleteTemplatePath(template, sender));
}

export function useDeleteTemplate(sender: string | undefined) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (template: TemplateRef) => deleteTemplate(api, template, sender),
    onSettled: () => queryClient.invalidateQueries({ queryKey: templateKeys.catalogues() }),
  });
}
