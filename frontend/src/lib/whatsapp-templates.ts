// GET /api/whatsapp/templates?sender=: the WhatsApp message templates of a sender's business
// account (WABA), as last synced — answered from storage, never waiting on WhatsApp, so it is
// cheap to ask. Every role may read it. A few hundred at most: lists page it on the client.
//
// Two features read it (the template picker of the composer and the bulk wizard, and the
// Templates page, which syncs, creates and deletes and then refreshes it), so the schema, the
// fetcher and the query key live here.
//
// Categories, statuses, formats and button types are kept as strings: one the console does not
// know yet is shown by its name rather than making the whole catalogue unreadable.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from './api-client';
import { useApiClient } from './api-client-context';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export const TEMPLATE_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export const HEADER_MEDIA_FORMATS = ['IMAGE', 'VIDEO', 'DOCUMENT'] as const;
export type HeaderMediaFormat = (typeof HEADER_MEDIA_FORMATS)[number];

export const BUTTON_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP'] as const;
export type TemplateButtonType = (typeof BUTTON_TYPES)[number];

/** `null`, `{format: "TEXT", text}` or `{format: "IMAGE" | "VIDEO" | "DOCUMENT"}`. */
export const templateHeaderSchema = z.nullish(z.object({ format: z.string(), text: z.nullish(z.string()) }));

export type TemplateHeader = z.infer<typeof templateHeaderSchema>;

export const templateButtonSchema = z.object({
  type: z.string(),
  text: z.string(),
  url: z.nullish(z.string()),
  phoneNumber: z.nullish(z.string()),
});

export type TemplateButton = z.infer<typeof templateButtonSchema>;

export const templateVariableSchema = z.object({
  /** `1`, `2`… (positional) or `first_name` (named), as written between the braces. */
  name: z.string(),
  /** `HEADER` or `BODY`. */
  component: z.string(),
  sample: z.nullish(z.string()),
});

export type TemplateVariable = z.infer<typeof templateVariableSchema>;

export const templateEntrySchema = z.object({
  name: z.string().check(z.minLength(1)),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  parameterFormat: z._default(z.string(), 'POSITIONAL'),
  header: templateHeaderSchema,
  body: z.string(),
  footer: z.nullish(z.string()),
  buttons: z._default(z.array(templateButtonSchema), []),
  /** In the order their values are sent: the header's first, then the body's. */
  variables: z._default(z.array(templateVariableSchema), []),
  rejectedReason: z.nullish(z.string()),
  updatedAt: z.string(),
});

export type TemplateEntry = z.infer<typeof templateEntrySchema>;

export const templateCatalogueSchema = z.object({
  wabaId: z.string(),
  /** When the catalogue was last fetched from WhatsApp; null = never. */
  syncedAt: z.nullable(z.string()),
  items: z.array(templateEntrySchema),
});

export type TemplateCatalogue = z.infer<typeof templateCatalogueSchema>;

export const templateKeys = {
  all: ['whatsapp-templates'] as const,
  catalogues: () => [...templateKeys.all, 'catalogue'] as const,
  /** `sender` undefined: the tenant's default WhatsApp number. */
  catalogue: (sender: string | undefined) => [...templateKeys.catalogues(), sender ?? 'default'] as const,
};

export function getTemplates(api: ApiClient, sender: string | undefined, signal?: AbortSignal): Promise<TemplateCatalogue> {
  return api.get('/whatsapp/templates', templateCatalogueSchema, { query: { sender }, signal });
}

/** The catalogue changes when someone syncs or creates one (which refresh it), rarely otherwise. */
const CATALOGUE_STALE_MS = 60_000;

/**
 * While a template is in review, the catalogue is read again this often: Meta's decision reaches
 * it through a status event (a list reads storage, never the provider), and the page shows it
 * without anyone reloading.
 */
export const IN_REVIEW_POLL_MS = 10_000;

export function useTemplates(sender: string | undefined, { enabled = true }: { enabled?: boolean } = {}) {
  const api = useApiClient();
  return useQuery({
    queryKey: templateKeys.catalogue(sender),
    queryFn: ({ signal }) => getTemplates(api, sender, signal),
    staleTime: CATALOGUE_STALE_MS,
    refetchInterval: (query) => (query.state.data?.items.some((t) => t.status === 'PENDING') ? IN_REVIEW_POLL_MS : false),
    enabled,
  });
}

/** The entry a message names, if the catalogue has it. */
export function findTemplate(items: readonly TemplateEntry[], name: string, language: string): TemplateEntry | undefined {
  return items.find((t) => t.name === name && t.language === language);
}

export function isHeaderMedia(format: string | undefined | null): format is HeaderMediaFormat {
  return (HEADER_MEDIA_FORMATS as readonly string[]).includes(format ?? '');
}

/**
 * A template message as sent (`POST /api/messages/whatsapp` `template`, a bulk job's template
 * content): the values of its variables in the order of the entry's `variables`, and the uploaded
 * header media when the header is an image, a video or a document.
 */
export interface TemplateMessage {
  name: string;
  language: string;
  parameters: string[];
  /** The `s3Key` of a file uploaded with POST /api/media/uploads. */
  headerMediaId?: string;
}
