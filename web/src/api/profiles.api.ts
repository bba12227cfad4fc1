import { apiRequest, type Page } from './client';
import type { Profile, ProfileEvent, ProfileMessage, ProfileSummary } from './audience.types';

const base = '/api/v1/profiles';
const one = (identity: string) => `${base}/${encodeURIComponent(identity)}`;

/** Newest first; `q` matches the start of the identity, the phone or the Name. */
export function searchProfiles(options: { q?: string; cursor?: string | null | undefined; signal?: AbortSignal }): Promise<Page<ProfileSummary>> {
  return apiRequest('GET', base, { query: { q: options.q, cursor: options.cursor, limit: 50 }, signal: options.signal });
}

export function getProfile(identity: string): Promise<Profile> {
  return apiRequest('GET', one(identity));
}

export function profileEvents(identity: string, cursor?: string | null): Promise<Page<ProfileEvent>> {
  return apiRequest('GET', `${one(identity)}/events`, { query: { cursor, limit: 50 } });
}

export function profileMessages(identity: string, cursor?: string | null): Promise<Page<ProfileMessage>> {
  return apiRequest('GET', `${one(identity)}/messages`, { query: { cursor, limit: 50 } });
}
