import type { Db } from '../storage/db.js';
import { newId } from '../ids.js';
import { conflict, validationFailed } from '../errors.js';
import { hashPassword, passwordProblem } from './passwords.js';

export interface UserSummary {
  id: string;
  email: string;
  isAdmin: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The longest address SMTP carries (RFC 5321: 64 + 1 + 255). */
export const MAX_EMAIL_LENGTH = 320;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates a dashboard user; the email must be new and the password acceptable. */
export async function createUser(db: Db, input: { email: string; password: string; isAdmin: boolean }): Promise<UserSummary> {
  const email = normaliseEmail(input.email);
  const problems = [];
  if (!EMAIL.test(email)) problems.push({ path: 'email', message: 'must be an email address such as ana@example.com' });
  else if (email.length > MAX_EMAIL_LENGTH) problems.push({ path: 'email', message: `must be at most ${MAX_EMAIL_LENGTH} characters` });
  const weak = passwordProblem(input.password);
  if (weak) problems.push({ path: 'password', message: weak });
  if (problems.length > 0) throw validationFailed(problems);
  const existing = await db.kysely.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw conflict('email_taken', `A user with the email ${email} already exists.`);
  const now = Date.now();
  const id = newId(now);
  await db.kysely
    .insertInto('users')
    .values({ id, email, password_hash: await hashPassword(input.password), is_admin: input.isAdmin ? 1 : 0, created_at: now, last_login_at: null })
    .execute();
  return { id, email, isAdmin: input.isAdmin };
}

/** The user who logs in with `email` (any case, surrounding spaces ignored), if there is one. */
export async function findUserByEmail(db: Db, email: string): Promise<{ id: string; email: string; is_admin: number } | undefined> {
  return db.kysely.selectFrom('users').select(['id', 'email', 'is_admin']).where('email', '=', normaliseEmail(email)).executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function addProjectMember(db: Db, projectId: string, userId: string): Promise<void> {
  await db.kysely
    .insertInto('project_members')
    .values({ project_id: projectId, user_id: userId, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .execute();
}
