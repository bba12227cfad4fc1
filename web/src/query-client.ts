/**
 * The app's TanStack Query client. A 401 from any request means the session ended (expired,
 * logged out elsewhere): the cached user is cleared, which sends the shell back to the login page.
 */
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client';
import { queryKeys } from './api/query-keys';

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error) => onSessionLost(error) }),
    mutationCache: new MutationCache({ onError: (error) => onSessionLost(error) }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // 4xx answers will not change by asking again; network blips and 5xx might.
        retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
  function onSessionLost(error: unknown) {
    if (error instanceof ApiError && error.status === 401) client.setQueryData(queryKeys.me, null);
  }
  return client;
}
