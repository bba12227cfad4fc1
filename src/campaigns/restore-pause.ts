/**
 * After `wacast restore`, the database is back at the moment of its backup. A campaign that was
 * running then still has queued every message it sent after the backup, and would send them
 * again as soon as a worker starts. So restore pauses those campaigns, saying why; a person
 * decides to resume (accepting that some recipients may get the message twice) or stop them.
 * Scheduled campaigns have sent nothing and are left as they are.
 */
import type { Db } from '../storage/db.js';

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
    await trx
      .updateTable('campaigns')
      .set({ state: 'paused', state_reason: RESTORE_PAUSE_REASON, updated_at: now })
      .where('id', 'in', running.map((row) => row.id))
      .where('state', '=', 'running')
      .execute();
    return running.map((row) => ({ id: row.id, name: row.name, projectName: row.projectName, queued: Number(row.queued ?? 0) }));
  });
}
