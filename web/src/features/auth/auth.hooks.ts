import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchAuthState, fetchMe, login, logout, setupFirstAdmin, switchProject } from '../../api/auth.api';
import { queryKeys } from '../../api/query-keys';
import type { Me } from '../../api/types';

/** The logged-in user and their projects; `data` is null when nobody is logged in. */
export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: fetchMe, staleTime: 60_000 });
}

export function useAuthState() {
  return useQuery({ queryKey: queryKeys.authState, queryFn: fetchAuthState });
}

/** After any change of session: the new user in the cache, every project-scoped answer dropped. */
function useAdoptSession() {
  const client = useQueryClient();
  return (me: Me | null) => {
    client.removeQueries({ queryKey: queryKeys.project });
    client.removeQueries({ queryKey: queryKeys.projects });
    client.setQueryData(queryKeys.me, me);
    client.setQueryData(queryKeys.authState, { needsSetup: false });
  };
}

export function useLogin() {
  const adopt = useAdoptSession();
  return useMutation({ mutationFn: login, onSuccess: adopt });
}

export function useSetupFirstAdmin() {
  const adopt = useAdoptSession();
  return useMutation({ mutationFn: setupFirstAdmin, onSuccess: adopt });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      // Whatever the server said, this browser forgets everything it showed. The user goes first,
      // so the shell leaves for the login page before the data under it disappears.
      client.setQueryData(queryKeys.me, null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
    },
  });
}

export function useSwitchProject() {
  const adopt = useAdoptSession();
  return useMutation({ mutationFn: switchProject, onSuccess: adopt });
}
