/** Shortcuts for browser tests that are not about logging in: an admin created through the API. */
import type { BrowserContext } from 'playwright-core';
import type { RunningServer } from './server.js';

export interface AdminSession {
  email: string;
  password: string;
  csrfToken: string;
  projectId: string;
}

/**
 * Creates the first admin with the printed setup link, through the browser context's request
 * client, so the session cookie lands in the browser.
 */
export async function createAdmin(context: BrowserContext, server: RunningServer, email = 'admin@example.com', password = 'correct horse battery staple'): Promise<AdminSession> {
  const token = new URLSearchParams(new URL(server.setupLink).hash.slice(1)).get('token');
  if (!token) throw new Error(`No token in the setup link ${server.setupLink}`);
  const response = await context.request.post(`${server.url}/api/v1/auth/setup`, { data: { token, email, password, projectName: 'E2E project' } });
  if (response.status() !== 201) throw new Error(`Setup failed: ${response.status()} ${await response.text()}`);
  const body = (await response.json()) as { csrfToken: string; currentProjectId: string };
  return { email, password, csrfToken: body.csrfToken, projectId: body.currentProjectId };
}

/** A state-changing API call as the logged-in admin (cookie + CSRF header). */
export async function apiPost<T>(context: BrowserContext, server: RunningServer, session: AdminSession, path: string, data: unknown): Promise<T> {
  const response = await context.request.post(`${server.url}${path}`, { data, headers: { 'x-csrf-token': session.csrfToken } });
  if (response.status() >= 300) throw new Error(`POST ${path} failed: ${response.status()} ${await response.text()}`);
  return (await response.json()) as T;
}
