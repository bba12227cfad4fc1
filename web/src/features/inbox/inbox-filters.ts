/**
 * The Inbox list's filters, kept in the URL query string (`?unread=1&window=open&campaign=…&q=…`)
 * so that a filtered view can be reloaded or shared as a link.
 */
export interface InboxFilters {
  /** Only conversations with unread messages. */
  unread: boolean;
  /** Only conversations whose 24-hour window is open: a free-text answer is possible. */
  windowOpen: boolean;
  /** Only replies to this campaign (its id), or '' for any. */
  campaignId: string;
  /** Name or phone search, or ''. */
  q: string;
}

export const NO_FILTERS: InboxFilters = { unread: false, windowOpen: false, campaignId: '', q: '' };

/** The filters a URL query string holds; anything else in it is ignored. */
export function filtersFromSearch(search: URLSearchParams): InboxFilters {
  return {
    unread: search.get('unread') === '1',
    windowOpen: search.get('window') === 'open',
    campaignId: search.get('campaign')?.trim() ?? '',
    q: search.get('q') ?? '',
  };
}

/** The query string of these filters, with only the active ones ('' when none is). */
export function searchOfFilters(filters: InboxFilters): string {
  const search = new URLSearchParams();
  if (filters.q.trim() !== '') search.set('q', filters.q);
  if (filters.unread) search.set('unread', '1');
  if (filters.windowOpen) search.set('window', 'open');
  if (filters.campaignId !== '') search.set('campaign', filters.campaignId);
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function hasFilters(filters: InboxFilters): boolean {
  return filters.unread || filters.windowOpen || filters.campaignId !== '' || filters.q.trim() !== '';
}

/** The active filters in words, for the empty list: `campaignName` names the campaign filtered on. */
export function describeFilters(filters: InboxFilters, campaignName: string | null): string[] {
  const active: string[] = [];
  if (filters.q.trim() !== '') active.push(`matching “${filters.q.trim()}”`);
  if (filters.unread) active.push('unread');
  if (filters.windowOpen) active.push('window open');
  if (filters.campaignId !== '') active.push(`replies to campaign ${campaignName ?? filters.campaignId}`);
  return active;
}

/** The API query of these filters (GET /api/v1/inbox). */
export function apiQueryOf(filters: InboxFilters): { q?: string; unread?: 'true'; window?: 'open'; campaignId?: string } {
  return {
    ...(filters.q.trim() !== '' ? { q: filters.q.trim() } : {}),
    ...(filters.unread ? { unread: 'true' as const } : {}),
    ...(filters.windowOpen ? { window: 'open' as const } : {}),
    ...(filters.campaignId !== '' ? { campaignId: filters.campaignId } : {}),
  };
}
