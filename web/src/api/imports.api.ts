import { apiRequest, apiUpload, type Page } from './client';
import type { ProfileImport } from './audience.types';

const base = '/api/v1/imports';

/** Sends the CSV (multipart field `file`); the server answers 202 at once and imports in the background. */
export function uploadProfilesCsv(file: File, defaultRegion?: string): Promise<ProfileImport> {
  const form = new FormData();
  if (defaultRegion) form.append('defaultRegion', defaultRegion);
  form.append('file', file, file.name);
  return apiUpload('POST', base, form);
}

export function listImports(): Promise<Page<ProfileImport>> {
  return apiRequest('GET', base, { query: { limit: 20 } });
}

export function getImport(id: string): Promise<ProfileImport> {
  return apiRequest('GET', `${base}/${encodeURIComponent(id)}`);
}
