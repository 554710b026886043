// PATCH /api/users/{userId} (Admin) `{role?, enabled?}`. It applies at the member's next request,
// whatever token they hold. The last enabled Admin cannot be demoted or disabled (409 LAST_ADMIN).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { memberSchema, usersKeys, type Member, type Role } from './member';

const updatedSchema = z.object({ user: memberSchema });

export type UserChange = { role: Role } | { enabled: boolean };

export function updateUser(api: ApiClient, userId: string, change: UserChange): Promise<Member> {
  return api.patch(`/users/${encodeURIComponent(userId)}`, change, updatedSchema).then((r) => r.user);
}

export function useUpdateUser() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, change }: { userId: string; change: UserChange }) => updateUser(api, userId, change),
    onSettled: () => queryClient.invalidateQueries({ queryKey: usersKeys.all }),
  });
}
