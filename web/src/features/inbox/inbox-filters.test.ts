import { describe, expect, it } from 'vitest';
import { apiQueryOf, describeFilters, filtersFromSearch, hasFilters, NO_FILTERS, searchOfFilters } from './inbox-filters';

describe('Inbox filters in the URL', () => {
  it('reads the filters from the query string, ignoring anything else', () => {
    expect(filtersFromSearch(new URLSearchParams('unread=1&window=open&campaign=c1&q=Asha%20P&other=x'))).toEqual({ unread: true, windowOpen: true, campaignId: 'c1', q: 'Asha P' });
    expect(filtersFromSearch(new URLSearchParams('unread=yes&window=closed'))).toEqual(NO_FILTERS);
    expect(filtersFromSearch(new URLSearchParams(''))).toEqual(NO_FILTERS);
  });

  it('writes only the active filters, and reads them back alike', () => {
    expect(searchOfFilters(NO_FILTERS)).toBe('');
    expect(searchOfFilters({ ...NO_FILTERS, q: '   ' })).toBe('');
    const filters = { unread: true, windowOpen: true, campaignId: 'c 1&x', q: 'Asha & co' };
    const search = searchOfFilters(filters);
    expect(search).toBe('?q=Asha+%26+co&unread=1&window=open&campaign=c+1%26x');
    expect(filtersFromSearch(new URLSearchParams(search))).toEqual(filters);
  });

  it('says which filters are active', () => {
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, windowOpen: true })).toBe(true);
    expect(describeFilters(NO_FILTERS, null)).toEqual([]);
    expect(describeFilters({ unread: true, windowOpen: true, campaignId: 'c1', q: ' asha ' }, 'Spring sale')).toEqual([
      'matching “asha”',
      'unread',
      'window open',
      'replies to campaign Spring sale',
    ]);
    expect(describeFilters({ ...NO_FILTERS, campaignId: 'c1' }, null)).toEqual(['replies to campaign c1']);
  });

  it('asks the API for the active filters only', () => {
    expect(apiQueryOf(NO_FILTERS)).toEqual({});
    expect(apiQueryOf({ unread: true, windowOpen: true, campaignId: 'c1', q: ' asha ' })).toEqual({ q: 'asha', unread: 'true', window: 'open', campaignId: 'c1' });
  });
});
