// POST /api/whatsapp/templates/from-library (Admin) {sender?, libraryName, name, language,
// category?, buttons?} → 201 {template}: a copy of a library template in the business account,
// under its own name, submitted for review like any new template. The library shows only sample
// targets for URL and call buttons, so Meta makes the business give its own: `buttons` has one
// entry per URL or PHONE_NUMBER button of the library template, in the order of the library item's
// `buttons` (quick replies take none), and is left out when there is no such button. A bad target
// answers 400 VALIDATION_FAILED naming the button.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { templateKeys, type TemplateCategory } from '@/lib/whatsapp-templates';
import { templateEnvelopeSchema } from './create-template';

/** The business's own target for one URL or call button of a library template. */
export type FromLibraryButton =
  /**
   * `url`: http(s), at most 2000 characters, whose only variable may be a `{{1}}` at its end; then
   * `urlExample`, a full sample URL for WhatsApp's reviewers, is required.
   */
  | { type: 'URL'; url: string; urlExample?: string }
  /** `phoneNumber`: E.164, `+` and 8 to 15 digits, not starting with 0. */
  | { type: 'PHONE_NUMBER'; phoneNumber: string };

export interface FromLibrary {
  sender?: string;
  libraryName: string;
  name: string;
  language: string;
  category?: TemplateCategory;
  buttons?: FromLibraryButton[];
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
