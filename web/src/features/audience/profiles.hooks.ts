import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getProfile, profileEvents, profileMessages, searchProfiles } from '../../api/profiles.api';
import { queryKeys } from '../../api/query-keys';

/** Profiles matching `q` (identity, phone or name prefix), page by page. */
export function useProfileSearch(q: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.profiles(q),
    queryFn: ({ pageParam, signal }) => searchProfiles({ q: q || undefined, cursor: pageParam, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useProfile(identity: string) {
  return useQuery({ queryKey: queryKeys.profile(identity), queryFn: () => getProfile(identity) });
}

export function useProfileEvents(identity: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.profileEvents(identity),
    queryFn: ({ pageParam }) => profileEvents(identity, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useProfileMessages(identity: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.profileMessages(identity),
    queryFn: ({ pageParam }) => profileMessages(identity, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
