/** Dashboard users, managed by instance admins (Settings → Users). */
import { apiRequest, fetchAllPages } from './client';
import type { DashboardUser } from './types';

export function listUsers(): Promise<DashboardUser[]> {
  return fetchAllPages<DashboardUser>('/api/v1/users');
}

export interface NewUser {
  email: string;
  password: string;
  isAdmin: boolean;
  projectIds: string[];
}

export function createUser(input: NewUser): Promise<DashboardUser> {
  return apiRequest('POST', '/api/v1/users', { body: input });
}

/** A new password (ends that user's sessions) and/or admin or not. */
export function updateUser(id: string, change: { password?: string; isAdmin?: boolean }): Promise<DashboardUser> {
  return apiRequest('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, { body: change });
}

/** Deletes the user with their sessions and memberships; what they made stays in its project. */
export function deleteUser(id: string): Promise<void> {
  return apiRequest('DELETE', `/api/v1/users/${encodeURIComponent(id)}`);
}
