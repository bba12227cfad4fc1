/**
 * Who can open a project: its members (rows of project_members) and every instance admin (who
 * opens every project without being a member). Only the given project's rows are ever read or
 * changed.
 */
import type { Db } from '../storage/db.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import { addProjectMember, findUserByEmail, normaliseEmail } from '../auth/users.service.js';

export interface ProjectMember {
  /** The user's id. */
  id: string;
  email: string;
  /** Instance admins open every project, member or not; their access cannot be taken per project. */
  isAdmin: boolean;
  /** When the user was given the project (epoch ms); null for an instance admin who was never given it. */
  memberSince: number | null;
}

/** Members of the project and every instance admin, by email. */
export async function listProjectMembers(db: Db, projectId: string): Promise<ProjectMember[]> {
  const members = await db.kysely
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select(['users.id', 'users.email', 'users.is_admin', 'project_members.created_at'])
    .where('project_members.project_id', '=', projectId)
    .execute();
  const admins = await db.kysely.selectFrom('users').select(['id', 'email']).where('is_admin', '=', 1).execute();
  const byId = new Map<string, ProjectMember>();
  for (const row of members) byId.set(row.id, { id: row.id, email: row.email, isAdmin: row.is_admin === 1, memberSince: row.created_at });
  for (const row of admins) if (!byId.has(row.id)) byId.set(row.id, { id: row.id, email: row.email, isAdmin: true, memberSince: null });
  return [...byId.values()].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

/**
 * Gives an existing user (by email, any case) the project. An unknown email is a field problem
 * (422); a user who can already open it (member or instance admin) is a conflict (409).
 */
export async function addProjectMemberByEmail(db: Db, projectId: string, rawEmail: string): Promise<ProjectMember> {
  const user = await findUserByEmail(db, rawEmail);
  if (!user) {
    throw validationFailed([{ path: 'email', message: `no user has the email ${normaliseEmail(rawEmail)}: create the user first (Settings → Users, wacast user create or POST /api/v1/users)` }]);
  }
  if (user.is_admin === 1) {
    throw conflict('already_member', `${user.email} is an instance admin and can already open every project.`);
  }
  const existing = await db.kysely
    .selectFrom('project_members')
    .select('created_at')
    .where('project_id', '=', projectId)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (existing) throw conflict('already_member', `${user.email} can already open this project.`);
  await addProjectMember(db, projectId, user.id);
  const row = await db.kysely
    .selectFrom('project_members')
    .select('created_at')
    .where('project_id', '=', projectId)
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  return { id: user.id, email: user.email, isAdmin: false, memberSince: row.created_at };
}

/**
 * Takes the project from a member: from the next request on, their sessions cannot open it. An
 * instance admin keeps every project, so removing one is refused (409) rather than pretending;
 * a user who is not a member of this project is not found (404), like another project's ids.
 */
export async function removeProjectMember(db: Db, projectId: string, userId: string): Promise<void> {
  const row = await db.kysely
    .selectFrom('users')
    .leftJoin('project_members', (join) => join.onRef('project_members.user_id', '=', 'users.id').on('project_members.project_id', '=', projectId))
    .select(['users.email', 'users.is_admin', 'project_members.user_id as memberId'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row || (row.memberId === null && row.is_admin !== 1)) throw notFound('Member', userId);
  if (row.is_admin === 1) {
    throw conflict('instance_admin', `${row.email} is an instance admin and opens every project; access cannot be taken away per project.`);
  }
  await db.kysely.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
}
