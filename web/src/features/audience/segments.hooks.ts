import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createSegment, deleteSegment, estimateAudience, estimateFilter, getSegment, listSegments, updateSegment } from '../../api/segments.api';
import { queryKeys } from '../../api/query-keys';
import type { AudienceEstimate, Segment, SegmentFilter } from '../../api/audience.types';
import type { Audience, FrequencyCap } from '../../api/campaigns.types';

export function useSegments() {
  return useQuery({ queryKey: queryKeys.segments, queryFn: listSegments });
}

export function useSegment(id: string) {
  return useQuery({ queryKey: queryKeys.segment(id), queryFn: () => getSegment(id) });
}

/** Live reach of a filter being edited (`null`: nothing to estimate yet). Keeps the last answer while the next one loads. */
export function useFilterEstimate(filter: SegmentFilter | null) {
  return useQuery({
    queryKey: queryKeys.audienceEstimate({ filter }),
    queryFn: ({ signal }) => estimateFilter(filter!, signal),
    enabled: filter !== null,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    retry: false,
  });
}

/**
 * An estimate with the audience it counted: shown on while the next one loads, it must still be
 * described by its own audience ("of 7 profiles", "of the 3 identities listed"), not the new one.
 */
export interface AudienceReachEstimate {
  audience: Audience;
  estimate: AudienceEstimate;
}

/**
 * The query of a campaign audience's estimated reach: a saved segment, all profiles, or a list of
 * identities; with a frequency cap, also how many of the reachable it would skip now; with the
 * campaign's provider account, its daily messaging limit and a warning when the audience is
 * larger than what is left. When the
 * audience or the cap changes, the last answer is kept (`isPlaceholderData`) until the next one
 * arrives, so the numbers do not blink to "Estimating…" on every change.
 */
export function audienceEstimateQuery(audience: Audience | null, frequencyCap: FrequencyCap | null = null, providerId: string | null = null) {
  const key = audience === null || ('identities' in audience && audience.identities.length === 0) ? null : audience;
  const provider = providerId || null;
  return queryOptions({
    queryKey: queryKeys.audienceEstimate({ audience: key, frequencyCap, providerId: provider }),
    queryFn: async ({ signal }): Promise<AudienceReachEstimate> => ({ audience: key!, estimate: await estimateAudience(key!, frequencyCap, signal, provider) }),
    enabled: key !== null && (!('segmentId' in key) || key.segmentId !== ''),
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    retry: false,
  });
}

export function useAudienceEstimate(audience: Audience | null, frequencyCap: FrequencyCap | null = null, providerId: string | null = null) {
  return useQuery(audienceEstimateQuery(audience, frequencyCap, providerId));
}

function useSegmentCacheUpdate() {
  const client = useQueryClient();
  return async (segment: Segment) => {
    client.setQueryData(queryKeys.segment(segment.id), segment);
    await client.invalidateQueries({ queryKey: queryKeys.segments, exact: true });
  };
}

export function useCreateSegment() {
  const update = useSegmentCacheUpdate();
  return useMutation({ mutationFn: createSegment, onSuccess: update });
}

export function useUpdateSegment() {
  const update = useSegmentCacheUpdate();
  return useMutation({ mutationFn: ({ id, patch }: { id: string; patch: { name?: string; filter?: SegmentFilter } }) => updateSegment(id, patch), onSuccess: update });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteSegment,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: queryKeys.segments, exact: true });
    },
  });
}
