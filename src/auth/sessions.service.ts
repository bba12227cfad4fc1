/**
 * Dashboard sessions. The cookie holds a 256-bit random token; the database keeps only its sha256,
 * so a leaked database cannot be replayed as cookies. Each session has its own CSRF token that
 * the dashboard echoes in `X-CSRF-Token` on every state-changing request.
 */
import type { Db } from '../storage/db.js';
import { randomToken } from '../ids.js';
import { sha256Hex } from './hash.js';

export const SESSION_COOKIE = 'wacast_session';
/** Sessions last 7 days from login. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  isAdmin: boolean;
  csrfToken: string;
  projectId: string | null;
}

export async function createSession(db: Db, userId: string, projectId: string | null): Promise<{ token: string; csrfToken: string; expiresAt: number }> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const now = Date.now();
  const expiresAt = now + SESSION_TTL_MS;
  await db.kysely
    .insertInto('sessions')
    .values({ id: sha256Hex(token), user_id: userId, csrf_token: csrfToken, project_id: projectId, created_at: now, expires_at: expiresAt, last_seen_at: now })
    .execute();
  await db.kysely.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute();
  return { token, csrfToken, expiresAt };
}

export async function findSession(db: Db, token: string): Promise<SessionUser | null> {
  const row = await db.kysely
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.user_id', 'sessions.csrf_token', 'sessions.project_id', 'sessions.expires_at', 'users.email', 'users.is_admin'])
    .where('sessions.id', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= Date.now()) return null;
  return {
    sessionId: row.id,
    userId: row.user_id,
    email: row.email,
    isAdmin: row.is_admin === 1,
    csrfToken: row.csrf_token,
    projectId: row.project_id,
  };
}

/** True while the session (by its stored id) exists and has not expired. */
export async function sessionIsLive(db: Db, sessionId: string): Promise<boolean> {
  const row = await db.kysely.selectFrom('sessions').select('expires_at').where('id', '=', sessionId).executeTakeFirst();
  return row !== undefined && row.expires_at > Date.now();
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function setSessionProject(db: Db, sessionId: string, projectId: string): Promise<void> {
  await db.kysely.updateTable('sessions').set({ project_id: projectId }).where('id', '=', sessionId).execute();
}

export async function deleteExpiredSessions(db: Db): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('expires_at', '<=', Date.now()).execute();
}
