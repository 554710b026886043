// POST /api/users (Admin) `{email, role}`: creates the account in the team. Where the deployment
// shows it (`delivery: SHOW_ONCE`, the local stack) the answer carries the temporary password —
// once: it is never stored, so the page shows it until the Admin closes it. Where Cognito emails it
// (`EMAIL`), the answer has none.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { memberSchema, usersKeys, type Role } from './member';

export const inviteSchema = z.object({
  user: memberSchema,
  delivery: z.enum(['EMAIL', 'SHOW_ONCE']),
  temporaryPassword: z.optional(z.string().check(z.minLength(1))),
});

export type Invite = z.infer<typeof inviteSchema>;

export interface InviteInput {
  email: string;
  role: Role;
}

export function inviteUser(api: ApiClient, input: InviteInput): Promise<Invite> {
  return api.post('/users', { email: input.email.trim(), role: input.role }, inviteSchema);
}

export function useInviteUser() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: InviteInput) => inviteUser(api, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKeys.all }),
  });
}
