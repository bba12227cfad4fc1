import { apiRequest, fetchAllPages } from './client';
import type { ApiCredential, NewApiCredential, Project } from './types';

export function listProjects(): Promise<Project[]> {
  return fetchAllPages<Project>('/api/v1/projects');
}

export function createProject(name: string): Promise<Project> {
  return apiRequest('POST', '/api/v1/projects', { body: { name } });
}

export function listApiCredentials(projectId: string): Promise<ApiCredential[]> {
  return fetchAllPages<ApiCredential>(`/api/v1/projects/${encodeURIComponent(projectId)}/credentials`);
}

export function createApiCredential(projectId: string, label: string): Promise<NewApiCredential> {
  return apiRequest('POST', `/api/v1/projects/${encodeURIComponent(projectId)}/credentials`, { body: { label } });
}

/** Revokes API credentials: requests made with them are refused from now on. */
export function revokeApiCredential(projectId: string, id: string): Promise<void> {
  return apiRequest('DELETE', `/api/v1/projects/${encodeURIComponent(projectId)}/credentials/${encodeURIComponent(id)}`);
}
