/**
 * Resolves who is calling and for which project, before any handler runs. Routes declare what they
 * need in `config.auth`:
 * - `public`: nobody (login, callbacks, health);
 * - `session`: a logged-in dashboard user;
 * - `admin`: a logged-in instance admin;
 * - `project` (the default under /api/v1): a session user with an open project, or project API
 *   credentials. Every data query is scoped with `projectIdOf(request)`.
 * Cookie-authenticated requests that change state must carry the session's CSRF token in
 * `X-CSRF-Token`; API-credential requests carry no cookie and need none.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../storage/db.js';
import { AppError, forbidden, unauthorized } from '../errors.js';
import { findSession, SESSION_COOKIE, type SessionUser } from './sessions.service.js';
import { verifyApiCredential } from './api-credentials.service.js';
import { listProjectsForUser, userCanOpenProject } from '../projects/projects.service.js';
import { safeEqual } from './hash.js';

export type AuthRequirement = 'public' | 'session' | 'admin' | 'project';

export type AuthContext =
  | { kind: 'session'; user: SessionUser; projectId: string | null }
  | { kind: 'api'; projectId: string; credentialId: string; accountId: string; label: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The project this request acts on; throws 401 when there is none. */
export function projectIdOf(request: FastifyRequest): string {
  const projectId = request.auth?.projectId;
  if (!projectId) {
    throw new AppError(400, 'no_project', 'No project is selected: choose a project in the dashboard, or use project API credentials.');
  }
  return projectId;
}

export function sessionUserOf(request: FastifyRequest): SessionUser {
  if (request.auth?.kind !== 'session') throw unauthorized('Log in to the dashboard first.');
  return request.auth.user;
}

export const authPlugin = fp(async (app: FastifyInstance, options: { db: Db }) => {
  const { db } = options;
  app.decorateRequest('auth', null);

  // onRequest, before the body is even read: a caller without credentials hears 401 before
  // anything about its body, and bodies (up to 10 MiB for uploads) are parsed and validated only
  // for callers who may send them.
  app.addHook('onRequest', async (request) => {
    const requirement: AuthRequirement = request.routeOptions.config.auth ?? 'public';
    if (requirement === 'public') return;

    const accountId = header(request, 'x-wacast-account-id') ?? header(request, 'x-clevertap-account-id');
    const passcode = header(request, 'x-wacast-passcode') ?? header(request, 'x-clevertap-passcode');
    if (accountId !== undefined || passcode !== undefined) {
      if (requirement !== 'project') throw forbidden('Project API credentials cannot be used here; log in to the dashboard.');
      if (!accountId || !passcode) throw unauthorized('Send both X-Wacast-Account-Id and X-Wacast-Passcode.');
      const credential = await verifyApiCredential(db, accountId, passcode);
      if (!credential) throw unauthorized('The account id or passcode is wrong.');
      request.auth = { kind: 'api', projectId: credential.projectId, credentialId: credential.credentialId, accountId: credential.accountId, label: credential.label };
      return;
    }

    const token = request.cookies[SESSION_COOKIE];
    const user = token ? await findSession(db, token) : null;
    if (!user) throw unauthorized();
    if (UNSAFE_METHODS.has(request.method)) {
      const csrf = header(request, 'x-csrf-token');
      if (!csrf || !safeEqual(csrf, user.csrfToken)) {
        throw new AppError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token header: reload the dashboard and try again.');
      }
    }
    if (requirement === 'admin' && !user.isAdmin) throw forbidden('Only instance admins can do this.');

    let projectId: string | null = null;
    const wanted = header(request, 'x-wacast-project-id') ?? user.projectId;
    if (wanted && (await userCanOpenProject(db, { id: user.userId, isAdmin: user.isAdmin }, wanted))) {
      projectId = wanted;
    } else if (header(request, 'x-wacast-project-id')) {
      throw forbidden('You cannot open that project.');
    } else {
      projectId = (await listProjectsForUser(db, { id: user.userId, isAdmin: user.isAdmin }))[0]?.id ?? null;
    }
    request.auth = { kind: 'session', user, projectId };
  });
});
