import { apiRequest, ApiError, setCsrfToken } from './client';
import type { Me } from './types';

/** The logged-in user, or null when there is no valid session (401). */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await apiRequest<Me>('GET', '/api/v1/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function fetchAuthState(): Promise<{ needsSetup: boolean }> {
  return apiRequest('GET', '/api/v1/auth/state');
}

export async function login(input: { email: string; password: string }): Promise<Me> {
  const me = await apiRequest<Me>('POST', '/api/v1/auth/login', { body: input });
  setCsrfToken(me.csrfToken);
  return me;
}

export async function setupFirstAdmin(input: { token: string; email: string; password: string; projectName?: string }): Promise<Me> {
  const me = await apiRequest<Me>('POST', '/api/v1/auth/setup', { body: input });
  setCsrfToken(me.csrfToken);
  return me;
}

export async function logout(): Promise<void> {
  await apiRequest<void>('POST', '/api/v1/auth/logout');
  setCsrfToken(null);
}

export async function switchProject(projectId: string): Promise<Me> {
  const me = await apiRequest<Me>('POST', '/api/v1/auth/project', { body: { projectId } });
  setCsrfToken(me.csrfToken);
  return me;
}

/** Changes the logged-in user's own password; their other sessions end, this one stays. */
export function changeOwnPassword(input: { currentPassword: string; newPassword: string }): Promise<void> {
  return apiRequest('POST', '/api/v1/auth/password', { body: input });
}
