import type { Kysely } from 'kysely';
import type { Db, Dialect } from '../storage/db.js';
import type { Database } from '../storage/schema.js';
import { writeTransaction } from '../storage/transaction.js';
import { lockForUpdate } from '../storage/row-locks.js';
import { newId } from '../ids.js';
import { conflict, forbidden, notFound, validationFailed, type FieldProblem } from '../errors.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { isUniqueViolation } from '../storage/database-errors.js';

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

/**
 * Creates a dashboard user; the email must be new and the password acceptable. `projectIds` are
 * given to the user in the same transaction: an unknown one is refused (422, naming it) and
 * nothing is created.
 */
export async function createUser(db: Db, input: { email: string; password: string; isAdmin: boolean; projectIds?: readonly string[] }): Promise<UserSummary> {
  const email = normaliseEmail(input.email);
  const projectIds = [...new Set(input.projectIds ?? [])];
  const problems: FieldProblem[] = [];
  if (!EMAIL.test(email)) problems.push({ path: 'email', message: 'must be an email address such as ana@example.com' });
  else if (email.length > MAX_EMAIL_LENGTH) problems.push({ path: 'email', message: `must be at most ${MAX_EMAIL_LENGTH} characters` });
  const weak = passwordProblem(input.password);
  if (weak) problems.push({ path: 'password', message: weak });
  if (projectIds.length > 0) {
    const found = await db.kysely.selectFrom('projects').select('id').where('id', 'in', projectIds).execute();
    (input.projectIds ?? []).forEach((id, index) => {
      if (!found.some((row) => row.id === id)) problems.push({ path: `projectIds.${index}`, message: `no project has the id ${JSON.stringify(id)}` });
    });
  }
  if (problems.length > 0) throw validationFailed(problems);
  const taken = () => conflict('email_taken', `A user with the email ${email} already exists.`, [{ path: 'email', message: `${email} already has an account` }]);
  const existing = await db.kysely.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw taken();
  const now = Date.now();
  const id = newId(now);
  const passwordHash = await hashPassword(input.password);
  try {
    await db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ id, email, password_hash: passwordHash, is_admin: input.isAdmin ? 1 : 0, created_at: now, last_login_at: null }).execute();
      for (const projectId of projectIds) await trx.insertInto('project_members').values({ project_id: projectId, user_id: id, created_at: now }).execute();
    });
  } catch (error) {
    // The same email created meanwhile (the check above cannot see a concurrent create): the same
    // 409, not a 500. Hashing takes long enough for two creates to overlap.
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
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

/** A dashboard user as instance admins see it: never the password hash. */
export interface UserListing extends UserSummary {
  createdAt: number;
  /**
   * The projects given to the user, oldest first. Instance admins open every project whatever
   * this says; it lists what they keep if they stop being admins.
   */
  projects: Array<{ id: string; name: string }>;
}

/** Every dashboard user by email (or only `onlyId`), with the projects given to each. */
export async function listUsers(db: Db, onlyId?: string): Promise<UserListing[]> {
  let users = db.kysely.selectFrom('users').select(['id', 'email', 'is_admin', 'created_at']).orderBy('email');
  let memberships = db.kysely
    .selectFrom('project_members')
    .innerJoin('projects', 'projects.id', 'project_members.project_id')
    .select(['project_members.user_id', 'projects.id', 'projects.name'])
    .orderBy('projects.created_at')
    .orderBy('projects.id');
  if (onlyId !== undefined) {
    users = users.where('id', '=', onlyId);
    memberships = memberships.where('project_members.user_id', '=', onlyId);
  }
  const [userRows, membershipRows] = [await users.execute(), await memberships.execute()];
  const byUser = new Map<string, Array<{ id: string; name: string }>>();
  for (const row of membershipRows) {
    const list = byUser.get(row.user_id) ?? [];
    list.push({ id: row.id, name: row.name });
    byUser.set(row.user_id, list);
  }
  return userRows.map((row) => ({ id: row.id, email: row.email, isAdmin: row.is_admin === 1, createdAt: row.created_at, projects: byUser.get(row.id) ?? [] }));
}

/** One user as listUsers shows them, or undefined. */
export async function findUserListing(db: Db, userId: string): Promise<UserListing | undefined> {
  return (await listUsers(db, userId))[0];
}

/** Who asks for a change of users: the instance admin, and the session they ask from. */
export interface Actor {
  userId: string;
  sessionId: string;
}

/**
 * Inside a write transaction: locks every instance admin's row and the target's (PostgreSQL
 * `FOR UPDATE`, admins first and by id, so two such transactions never wait on each other in a
 * circle; SQLite's write transaction already admits one writer). Two admins demoting or deleting
 * each other at once then run one after the other, and the second sees one admin left and is
 * refused (`last_admin`): the instance is never left without one.
 */
async function lockAdminsAndTarget(trx: Kysely<Database>, dialect: Dialect, targetId: string) {
  const admins = await lockForUpdate(trx.selectFrom('users').select('id').where('is_admin', '=', 1).orderBy('id'), dialect).execute();
  const target = await lockForUpdate(trx.selectFrom('users').select(['id', 'email', 'is_admin']).where('id', '=', targetId), dialect).executeTakeFirst();
  if (!target) throw notFound('User', targetId);
  return { admins: admins.map((row) => row.id), target };
}

/** The actor passed the admin check when the request began; this holds while the locks are. */
function assertStillAdmin(admins: readonly string[], actor: Actor): void {
  if (!admins.includes(actor.userId)) throw forbidden('Only instance admins can do this.');
}

const LAST_ADMIN = (email: string) =>
  conflict('last_admin', `${email} is the only instance admin: make another user an admin first, so the instance always has one.`);

/**
 * Changes a user's password and/or whether they are an instance admin. A new password follows the
 * rules of creation and ends every session of that user but the actor's own (an admin resetting
 * their own password stays logged in here). Taking admin from oneself (409 `cannot_demote_self`)
 * or from the only admin (409 `last_admin`) is refused. Answers the ids of the sessions it ended.
 */
export async function updateUser(
  db: Db,
  actor: Actor,
  targetId: string,
  change: { password?: string | undefined; isAdmin?: boolean | undefined },
): Promise<{ endedSessionIds: string[] }> {
  const problems: FieldProblem[] = [];
  if (change.password === undefined && change.isAdmin === undefined) problems.push({ path: 'body', message: 'send password, isAdmin or both' });
  const weak = change.password === undefined ? null : passwordProblem(change.password);
  if (weak) problems.push({ path: 'password', message: weak });
  if (problems.length > 0) throw validationFailed(problems);
  // Hashed before the transaction: argon2id takes ~20 ms, too long to hold the admins' locks for.
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  return writeTransaction(db, async (trx) => {
    const { admins, target } = await lockAdminsAndTarget(trx, db.dialect, targetId);
    if (change.isAdmin === false && target.is_admin === 1) {
      if (target.id === actor.userId) {
        throw conflict('cannot_demote_self', 'You cannot take instance admin from yourself: ask another admin to do it, so the instance always has one.');
      }
      if (admins.length <= 1) throw LAST_ADMIN(target.email);
    }
    assertStillAdmin(admins, actor);
    const set: { is_admin?: number; password_hash?: string } = {};
    if (change.isAdmin !== undefined) set.is_admin = change.isAdmin ? 1 : 0;
    if (passwordHash !== undefined) set.password_hash = passwordHash;
    await trx.updateTable('users').set(set).where('id', '=', target.id).execute();
    if (passwordHash === undefined) return { endedSessionIds: [] };
    const ended = await trx
      .deleteFrom('sessions')
      .where('user_id', '=', target.id)
      .where('id', '!=', actor.sessionId)
      .returning('id')
      .execute();
    return { endedSessionIds: ended.map((row) => row.id) };
  });
}

/**
 * Deletes a user with their sessions and project memberships, in one transaction. Nothing else
 * refers to users (projects, campaigns, templates and API credentials belong to projects, and the
 * campaign activity log keeps who acted as text: docs/decisions/0008-deleting-users.md), so no
 * other row changes. Deleting
 * oneself (409 `cannot_delete_self`) or the only admin (409 `last_admin`) is refused. Answers the
 * ids of the sessions it ended.
 */
export async function deleteUser(db: Db, actor: Actor, targetId: string): Promise<{ email: string; endedSessionIds: string[] }> {
  return writeTransaction(db, async (trx) => {
    const { admins, target } = await lockAdminsAndTarget(trx, db.dialect, targetId);
    if (target.id === actor.userId) throw conflict('cannot_delete_self', 'You cannot delete yourself: ask another instance admin to do it.');
    if (target.is_admin === 1 && admins.length <= 1) throw LAST_ADMIN(target.email);
    assertStillAdmin(admins, actor);
    const ended = await trx.deleteFrom('sessions').where('user_id', '=', target.id).returning('id').execute();
    await trx.deleteFrom('project_members').where('user_id', '=', target.id).execute();
    await trx.deleteFrom('users').where('id', '=', target.id).execute();
    return { email: target.email, endedSessionIds: ended.map((row) => row.id) };
  });
}

/** The stored password hash of a user, for checking their current password; undefined if the user is gone. */
export async function passwordHashOf(db: Db, userId: string): Promise<string | undefined> {
  return (await db.kysely.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst())?.password_hash;
}

/**
 * Sets a user's password (its checks are the caller's: the rules, the current password, the
 * limiter) and ends their sessions but `keepSessionId` (the one asking, if it is theirs).
 * Answers the ids of the sessions ended.
 */
export async function setUserPassword(db: Db, userId: string, keepSessionId: string | null, newPassword: string): Promise<{ endedSessionIds: string[] }> {
  const passwordHash = await hashPassword(newPassword);
  return db.kysely.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    let query = trx.deleteFrom('sessions').where('user_id', '=', userId);
    if (keepSessionId !== null) query = query.where('id', '!=', keepSessionId);
    const ended = await query.returning('id').execute();
    return { endedSessionIds: ended.map((row) => row.id) };
  });
}
