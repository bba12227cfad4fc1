import { apiRequest, fetchAllPages } from './client';
import type { ApiCredential, NewApiCredential, Project, ProjectMember } from './types';

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

/** Who can open the project: its members and every instance admin. */
export function listProjectMembers(projectId: string): Promise<ProjectMember[]> {
  return fetchAllPages<ProjectMember>(`/api/v1/projects/${encodeURIComponent(projectId)}/members`);
}

/** Gives an existing user (by email) the project. */
export function addProjectMember(projectId: string, email: string): Promise<ProjectMember> {
  return apiRequest('POST', `/api/v1/projects/${encodeURIComponent(projectId)}/members`, { body: { email } });
}

/** Takes the project from a member: from their next request on they cannot open it. */
export function removeProjectMember(projectId: string, userId: string): Promise<void> {
  return apiRequest('DELETE', `/api/v1/projects/${encodeURIComponent(projectId)}/members/${encodeURIComponent(userId)}`);
}
