import type { Db } from '../storage/db.js';
import { newId } from '../ids.js';
import { parseJson, toJson } from '../storage/json.js';
import { notFound } from '../errors.js';

export interface ProjectSummary {
  id: string;
  name: string;
  createdAt: number;
}

export async function createProject(db: Db, name: string, memberUserId?: string): Promise<ProjectSummary> {
  const now = Date.now();
  const id = newId(now);
  await db.kysely.transaction().execute(async (trx) => {
    await trx.insertInto('projects').values({ id, name, settings: toJson({}), created_at: now }).execute();
    if (memberUserId) {
      await trx.insertInto('project_members').values({ project_id: id, user_id: memberUserId, created_at: now }).execute();
    }
  });
  return { id, name, createdAt: now };
}

/** Projects a user can open: every project for instance admins, their memberships otherwise. */
export async function listProjectsForUser(db: Db, user: { id: string; isAdmin: boolean }): Promise<ProjectSummary[]> {
  const rows = user.isAdmin
    ? await db.kysely.selectFrom('projects').select(['id', 'name', 'created_at']).orderBy('created_at').execute()
    : await db.kysely
        .selectFrom('projects')
        .innerJoin('project_members', 'project_members.project_id', 'projects.id')
        .select(['projects.id', 'projects.name', 'projects.created_at'])
        .where('project_members.user_id', '=', user.id)
        .orderBy('projects.created_at')
        .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
}

export async function userCanOpenProject(db: Db, user: { id: string; isAdmin: boolean }, projectId: string): Promise<boolean> {
  if (user.isAdmin) {
    const row = await db.kysely.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
    return row !== undefined;
  }
  const row = await db.kysely
    .selectFrom('project_members')
    .select('project_id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  return row !== undefined;
}

export async function getProjectSettings<T extends object>(db: Db, projectId: string): Promise<Partial<T>> {
  const row = await db.kysely.selectFrom('projects').select('settings').where('id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound('Project', projectId);
  return parseJson<Partial<T>>(row.settings, {});
}

export async function updateProjectSettings(db: Db, projectId: string, patch: object): Promise<void> {
  const current = await getProjectSettings<Record<string, unknown>>(db, projectId);
  await db.kysely
    .updateTable('projects')
    .set({ settings: toJson({ ...current, ...patch }) })
    .where('id', '=', projectId)
    .execute();
}
