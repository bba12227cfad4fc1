/**
 * After `wacast restore`, the database is back at the moment of its backup. A campaign that was
 * running then still has queued every message it sent after the backup, and would send them
 * again as soon as a worker starts. So restore pauses those campaigns, saying why; a person
 * decides to resume (accepting that some recipients may get the message twice) or stop them.
 * Scheduled campaigns have sent nothing and are left as they are.
 */
import { sql, type Kysely } from 'kysely';
import type { Db, Dialect } from '../storage/db.js';
import type { Database } from '../storage/schema.js';
import { recordActivity, SYSTEM_ACTORS } from './campaign-activity.js';

export const RESTORE_PAUSE_REASON =
  'paused by wacast restore: it was running when the backup was taken, so resuming sends again the messages it sent after the backup';

export interface PausedCampaign {
  id: string;
  name: string;
  projectName: string;
  queued: number;
}

export async function pauseCampaignsRunningAtBackup(db: Db, now = Date.now()): Promise<PausedCampaign[]> {
  return db.kysely.transaction().execute(async (trx) => {
    const running = await trx
      .selectFrom('campaigns')
      .innerJoin('projects', 'projects.id', 'campaigns.project_id')
      .leftJoin('campaign_counters', 'campaign_counters.campaign_id', 'campaigns.id')
      .select(['campaigns.id', 'campaigns.name', 'projects.name as projectName', 'campaign_counters.queued'])
      .where('campaigns.state', '=', 'running')
      .orderBy('projects.name')
      .orderBy('campaigns.name')
      .execute();
    if (running.length === 0) return [];
    const paused = await trx
      .updateTable('campaigns')
      .set({ state: 'paused', state_reason: RESTORE_PAUSE_REASON, updated_at: now })
      .where('id', 'in', running.map((row) => row.id))
      .where('state', '=', 'running')
      .returning(['id', 'project_id'])
      .execute();
    // A backup from before campaign activity existed (migration 0014) has no table for it yet: the
    // campaign's reason says why it is paused, and the next start adds the table.
    if (await hasActivityTable(trx, db.dialect)) {
      const entries = paused.map((row) => ({ projectId: row.project_id, campaignId: row.id, action: 'paused' as const, actor: SYSTEM_ACTORS.restore, at: now, details: { reason: RESTORE_PAUSE_REASON } }));
      await recordActivity(trx, entries);
    }
    return running.map((row) => ({ id: row.id, name: row.name, projectName: row.projectName, queued: Number(row.queued ?? 0) }));
  });
}

async function hasActivityTable(trx: Kysely<Database>, dialect: Dialect): Promise<boolean> {
  const found =
    dialect === 'postgres'
      ? await sql<{ found: string | null }>`select to_regclass('campaign_activity')::text as found`.execute(trx)
      : await sql<{ found: string | null }>`select name as found from sqlite_master where type = 'table' and name = 'campaign_activity'`.execute(trx);
  return found.rows.some((row) => row.found !== null);
}
