import type { ReactNode } from 'react';
import { Loading } from './page';
import { QueryError } from './query-error';

/** What QueryState reads of a query (a TanStack Query result, plain or infinite). */
export interface LoadableQuery<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * The part of a page a query fills: "Loading…" while it loads, the error with a retry button when
 * it failed, else what `children` makes of its data.
 */
export function QueryState<T>({ query, loading, children }: { query: LoadableQuery<T>; loading: string; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading what={loading} />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  // Neither pending nor failed: TanStack Query has the data.
  return <>{children(query.data as T)}</>;
}
