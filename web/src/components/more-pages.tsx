/** What MorePages reads of an infinite query (TanStack Query's useInfiniteQuery result). */
export interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/**
 * The button that loads the next page of a list ("Older messages", "More conversations"), shown
 * only while there is one, and saying "Loading…" (disabled) while it comes. `pager` puts it on a
 * row of its own under a table; otherwise it is a small button where it stands.
 */
export function MorePages({ query, label, pager = false, ghost = false }: { query: PagedQuery; label: string; pager?: boolean; ghost?: boolean }) {
  if (!query.hasNextPage) return null;
  const button = (
    <button
      type="button"
      className={`btn ${ghost ? 'btn--ghost' : 'btn--secondary'}${pager ? '' : ' btn--small'}`}
      disabled={query.isFetchingNextPage}
      onClick={() => void query.fetchNextPage()}
    >
      {query.isFetchingNextPage ? 'Loading…' : label}
    </button>
  );
  return pager ? <div className="pager">{button}</div> : button;
}
