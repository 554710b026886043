// POST /api/whatsapp/templates (Admin): submit a new template to WhatsApp for review → 201
// {template} (status PENDING). The API checks WhatsApp's rules again and answers 400
// VALIDATION_FAILED naming what is wrong, 409 CONFLICT when the name and language are taken.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import {
  templateEntrySchema,
  templateKeys,
  type HeaderMediaFormat,
  type TemplateButtonType,
  type TemplateCategory,
} from '@/lib/whatsapp-templates';

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

export type NewTemplateHeader = { format: 'TEXT'; text: string } | { format: HeaderMediaFormat; mediaId?: string };

export interface NewTemplateButton {
  type: TemplateButtonType;
  text: string;
  url?: string;
  phoneNumber?: string;
}

export interface NewTemplate {
  sender?: string;
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat?: ParameterFormat;
  header?: NewTemplateHeader;
  body: string;
  footer?: string;
  buttons?: NewTemplateButton[];
  /** A sample value for every variable, by its name. */
  samples: Record<string, string>;
}

export const templateEnvelopeSchema = z.object({ template: templateEntrySchema });

export async function createTemplate(api: ApiClient, template: NewTemplate) {
  const { template: created } = await api.post('/whatsapp/templates', template, templateEnvelopeSchema);
  return created;
}

export function useCreateTemplate() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (template: NewTemplate) => createTemplate(api, template),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templateKeys.catalogues() }),
  });
}
