// An audit entry as GET /api/audit answers it, the page it comes in, and the filters of a search.
import * as z from 'zod/mini';

export const auditEntrySchema = z.object({
  auditId: z.string().check(z.minLength(1)),
  actorId: z.string(),
  actorEmail: z.optional(z.string()),
  actorRole: z.string(),
  /** e.g. `contact.update`, `user.role_change`. */
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  /** `success` or `denied`; a bulk job's finish records its final status. */
  outcome: z.string(),
  before: z.optional(z.unknown()),
  after: z.optional(z.unknown()),
  requestId: z.string(),
  sourceIp: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  at: z.string(),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.nullable(z.string()),
});

export type AuditPage = z.infer<typeof auditPageSchema>;

/** Entries a page asks for. */
export const PAGE_SIZE = 25;

/**
 * A search as the page's form and address hold it: text as typed, dates as `yyyy-mm-dd` days of
 * the reader's calendar ('' for "not given").
 */
export interface AuditFilters {
  /** A user id or a member's email. */
  actor: string;
  /** An action, or a family ending in `*` (`contact.*`). */
  action: string;
  resourceType: string;
  resourceId: string;
  outcome: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = { actor: '', action: '', resourceType: '', resourceId: '', outcome: '', from: '', to: '' };

export const auditKeys = {
  all: ['audit'] as const,
  search: (filters: AuditFilters) => ['audit', 'search', filters] as const,
};
