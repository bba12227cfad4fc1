import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createUser, deleteUser, listUsers, updateUser, type NewUser } from '../../api/users.api';
import { changeOwnPassword } from '../../api/auth.api';
import { queryKeys } from '../../api/query-keys';

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users, queryFn: listUsers });
}

/** After any change of users: the list, and who can open the current project (Members), are read again. */
function useRefreshUsers() {
  const client = useQueryClient();
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: queryKeys.users }), client.invalidateQueries({ queryKey: ['project', 'members'] })]);
}

export function useCreateUser() {
  const refresh = useRefreshUsers();
  return useMutation({ mutationFn: (input: NewUser) => createUser(input), onSuccess: refresh });
}

export function useUpdateUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: ({ id, ...change }: { id: string; password?: string; isAdmin?: boolean }) => updateUser(id, change),
    onSuccess: refresh,
  });
}

export function useDeleteUser() {
  const refresh = useRefreshUsers();
  return useMutation({ mutationFn: (id: string) => deleteUser(id), onSuccess: refresh });
}

export function useChangeOwnPassword() {
  return useMutation({ mutationFn: changeOwnPassword });
}
