import { apiRequest } from './client';
import type { KeywordSettings } from './types';

const path = '/api/v1/settings/keywords';

export function getKeywordSettings(): Promise<KeywordSettings> {
  return apiRequest('GET', path);
}

/** Sends both rules whole: the form always shows and saves all four fields together. */
export function updateKeywordSettings(settings: KeywordSettings): Promise<KeywordSettings> {
  return apiRequest('PATCH', path, { body: settings });
}
