// A member of the tenant's team as /api/users answers it, and the team's query keys.
import * as z from 'zod/mini';

export const ROLES = ['Viewer', 'Operator', 'Admin'] as const;
export type Role = (typeof ROLES)[number];

export const memberSchema = z.object({
  userId: z.string().check(z.minLength(1)),
  email: z.optional(z.string()),
  role: z.enum(ROLES),
  status: z.enum(['ENABLED', 'DISABLED']),
  /** FORCE_CHANGE_PASSWORD until the first sign-in, when the user chooses their own password. */
  accountStatus: z.enum(['FORCE_CHANGE_PASSWORD', 'CONFIRMED']),
  invitedBy: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.optional(z.string()),
  lastSignInAt: z.optional(z.string()),
});

export type Member = z.infer<typeof memberSchema>;

export const membersPageSchema = z.object({
  items: z.array(memberSchema),
  nextCursor: z.nullable(z.string()),
});

export type MembersPage = z.infer<typeof membersPageSchema>;

export const PAGE_SIZE = 50;

export const usersKeys = {
  all: ['users'] as const,
  list: () => ['users', 'list'] as const,
};
