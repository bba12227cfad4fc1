import { apiRequest, fetchAllPages } from './client';
import type { AudienceEstimate, Segment, SegmentFilter } from './audience.types';
import type { Audience, FrequencyCap } from './campaigns.types';

const base = '/api/v1/segments';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export function listSegments(): Promise<Segment[]> {
  return fetchAllPages<Segment>(base);
}

export function getSegment(id: string): Promise<Segment> {
  return apiRequest('GET', one(id));
}

export function createSegment(input: { name: string; filter: SegmentFilter }): Promise<Segment> {
  return apiRequest('POST', base, { body: input });
}

export function updateSegment(id: string, patch: { name?: string; filter?: SegmentFilter }): Promise<Segment> {
  return apiRequest('PATCH', one(id), { body: patch });
}

export function deleteSegment(id: string): Promise<void> {
  return apiRequest('DELETE', one(id));
}

/** Reach of a filter that is not saved; a 422 names the offending part from the filter's root (`filters.1.value`). */
export function estimateFilter(filter: SegmentFilter, signal?: AbortSignal): Promise<AudienceEstimate> {
  return apiRequest('POST', `${base}/estimate`, { body: filter, signal });
}

export function estimateSegment(id: string, signal?: AbortSignal): Promise<AudienceEstimate> {
  return apiRequest('POST', `${one(id)}/estimate`, { signal });
}

/**
 * Reach of a campaign audience: a saved segment, everyone, or a list of identities; with the
 * campaign's frequency cap, also how many reachable profiles it would skip now (`frequencyCapped`).
 */
export function estimateAudience(audience: Audience, frequencyCap: FrequencyCap | null, signal?: AbortSignal, providerId: string | null = null): Promise<AudienceEstimate> {
  return apiRequest('POST', '/api/v1/audience/estimate', { body: { audience, ...(frequencyCap ? { frequencyCap } : {}), ...(providerId ? { providerId } : {}) }, signal });
}
